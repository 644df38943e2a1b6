import type { AcknowledgementModel, PolicySet } from "../validate/model.js";
import { locate, locateFirst } from "./facts.js";
import type { Finding, FindingDraft, FindingSpec } from "./finding.js";

const HYGIENE = {
  cvss: { min: 0.0, max: 0.0 },
  basis: "Gatehouse review hygiene: not a configuration risk in itself",
  subjectKinds: ["Acknowledgement"],
} as const;

/** GR012: an acknowledgement whose expiry date has passed. */
export const ACKNOWLEDGEMENT_EXPIRED: FindingSpec = {
  ...HYGIENE,
  id: "GR012",
  slug: "acknowledgement-expired",
  title: "Acknowledgement expired",
  severity: "info",
  checks:
    "Every `Acknowledgement` with an `expires` date before today is reported; it no longer acknowledges anything, so the finding it accepted is reported as open again.",
  threatScenarios: ["A risk accepted for a limited time stays in place after the time is up, unnoticed."],
  securityImpact: "None by itself; the finding it acknowledged is reported again at its own severity.",
  businessImpact: "The owner of the exception must renew it with a current reason or fix the configuration.",
  recommendation: "Fix the finding, or renew the acknowledgement with a new `expires` date and an up-to-date reason.",
  affects: "The owner of the acknowledgement.",
};

/** GR013: an acknowledgement that matches no finding. */
export const ACKNOWLEDGEMENT_UNMATCHED: FindingSpec = {
  ...HYGIENE,
  id: "GR013",
  slug: "acknowledgement-unmatched",
  title: "Acknowledgement matches no finding",
  severity: "info",
  checks:
    "Every `Acknowledgement` in force that accepts no reported finding (the configuration was fixed, or the acknowledgement names the wrong subject) is reported.",
  threatScenarios: ["A stale acknowledgement silently accepts the same risk if it is reintroduced later."],
  securityImpact: "None today; it would hide a future regression from `--fail-on`.",
  businessImpact: "Stale exceptions make the list of accepted risks harder to trust.",
  recommendation: "Delete the acknowledgement, or correct its `finding` and `subject`.",
  affects: "The owner of the acknowledgement.",
};

/** A glob (`*` any characters, `?` one, everything else literal) as an anchored regular expression. */
export function globRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "su");
}

/** The user licence a finding's subject carries: its profile's, or its user's profile's. */
function licenceOf(policy: PolicySet, subject: FindingDraft["subject"]): string | undefined {
  if (subject.kind === "Profile") return policy.profiles.get(subject.name)?.userLicense;
  if (subject.kind === "User") {
    const user = policy.users.get(subject.name);
    return user === undefined ? undefined : policy.profiles.get(user.profile)?.userLicense;
  }
  return undefined;
}

function matches(policy: PolicySet, ack: AcknowledgementModel, finding: FindingDraft & { id: string }): boolean {
  if (ack.finding !== finding.id) return false;
  const { subject, match } = ack;
  if (subject === undefined && match === undefined) return finding.subject.kind === "Org";
  if (subject !== undefined && (subject.kind !== finding.subject.kind || subject.name !== finding.subject.name))
    return false;
  if (match === undefined) return true;
  if (match.kind !== undefined && match.kind !== finding.subject.kind) return false;
  if (match.name !== undefined && !globRegExp(match.name).test(finding.subject.name)) return false;
  if (match.userLicense !== undefined && licenceOf(policy, finding.subject) !== match.userLicense) return false;
  return true;
}

/**
 * Marks the findings that an acknowledgement in force accepts, and reports expired and unmatched
 * acknowledgements as findings of their own. `today` is `YYYY-MM-DD`; an acknowledgement holds
 * up to and including its `expires` day.
 */
export function applyAcknowledgements(
  policy: PolicySet,
  findings: ReadonlyArray<Omit<Finding, "acknowledgement">>,
  today: string,
): Finding[] {
  const inForce: AcknowledgementModel[] = [];
  const own: Finding[] = [];
  for (const ack of policy.acknowledgements.values()) {
    if (ack.expires !== undefined && ack.expires < today) {
      own.push({
        id: ACKNOWLEDGEMENT_EXPIRED.id,
        severity: ACKNOWLEDGEMENT_EXPIRED.severity,
        subject: { kind: "Acknowledgement", name: ack.name },
        message: `acknowledgement \`${ack.name}\` of \`${ack.finding}\` expired on ${ack.expires}, so it no longer acknowledges anything`,
        locations: [locate(ack.doc, "/expires", `expired on ${ack.expires}`)],
        affected: [],
      });
    } else {
      inForce.push(ack);
    }
  }
  const used = new Set<string>();
  const out: Finding[] = findings.map((f) => {
    const ack = inForce.find((a) => matches(policy, a, f));
    if (!ack) return f;
    used.add(ack.name);
    const ref = {
      name: ack.name,
      reason: ack.reason,
      location: locate(ack.doc, "/reason", `acknowledged by \`${ack.name}\``),
    };
    return { ...f, acknowledgement: ack.expires === undefined ? ref : { ...ref, expires: ack.expires } };
  });
  for (const ack of inForce) {
    if (used.has(ack.name)) continue;
    const pattern = [
      ack.match?.kind,
      ack.match?.name === undefined ? undefined : `named \`${ack.match.name}\``,
      ack.match?.userLicense === undefined ? undefined : `with licence \`${ack.match.userLicense}\``,
    ]
      .filter((x) => x !== undefined)
      .join(" ");
    const what =
      ack.match !== undefined
        ? `any declaration ${pattern}`
        : ack.subject === undefined
          ? "the org-wide settings"
          : `${ack.subject.kind} \`${ack.subject.name}\``;
    // INVARIANT: the schema admits only the ids of configuration checks in `finding`.
    const message = `acknowledgement \`${ack.name}\` matches no finding: \`${ack.finding}\` is not reported for ${what}`;
    own.push({
      id: ACKNOWLEDGEMENT_UNMATCHED.id,
      severity: ACKNOWLEDGEMENT_UNMATCHED.severity,
      subject: { kind: "Acknowledgement", name: ack.name },
      message,
      locations: [locateFirst(ack.doc, ["/finding"], "the acknowledged finding", "value")],
      affected: [],
    });
  }
  return [...out, ...own];
}
