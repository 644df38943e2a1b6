import { canonicalJson } from "../core/canonical-json.js";
import { compareText } from "../compiler/diagnostics/diagnostic.js";
import type { ConnectedAppModel, PolicySet } from "../compiler/validate/model.js";
import type { Decision } from "../wasm/decision.js";
import { requestUser } from "../impact/user-grantors.js";
import type { GrantFamily, IpOutcome, Matrix, MatrixApp, MatrixSubject, Verdict, VerdictReason } from "./model.js";
import { insideAddress, matrixSubjects, outsideAddress } from "./subjects.js";

/** Decides one request with the real runtime (an `Authorizer`'s `decide`). */
export type Decide = (request: unknown) => Decision;

/** The request families of the matrix: each API grant family, and a UI login through the app. */
export const GRANT_FAMILIES: readonly GrantFamily[] = [
  { id: "web", label: "OAuth web server flow (API)", channel: "api", grant: "web_server" },
  { id: "refresh", label: "Refresh token (API)", channel: "api", grant: "refresh_token" },
  { id: "bearer", label: "JWT bearer (API)", channel: "api", grant: "jwt_bearer" },
  { id: "client", label: "Client credentials (API)", channel: "api", grant: "client_credentials" },
  { id: "password", label: "Username–password (API)", channel: "api", grant: "password" },
  { id: "ui", label: "UI login through the app", channel: "ui", grant: "web_server" },
];

const HIGH_ASSURANCE_CODES = new Set(["HIGH_ASSURANCE_REQUIRED", "STEP_UP_REQUIRED"]);
const NO_RELAXATION = new Set(["jwt_bearer", "saml_bearer", "password", "soap_login", "session"]);

/** What an app's IP relaxation does for one family, in words (docs/semantics.md §4.8). */
export function relaxationText(app: ConnectedAppModel, family: GrantFamily): string {
  const policy = app.ipRelaxation;
  if (family.channel !== "api" || NO_RELAXATION.has(family.grant)) return `${policy}: never relaxes this flow`;
  switch (policy) {
    case "BYPASS":
      return "BYPASS: relaxes login IP ranges";
    case "ENFORCE_RELAXREFRESH":
      return family.grant === "refresh_token"
        ? "ENFORCE_RELAXREFRESH: relaxes the refresh token flow"
        : "ENFORCE_RELAXREFRESH: relaxes refresh tokens only";
    case "BYPASS_2FACTOR":
      if (family.grant !== "web_server") return "BYPASS_2FACTOR: relaxes the web server flow only";
      return app.trustedIpRanges.length > 0
        ? "BYPASS_2FACTOR: relaxes from the app's trusted IP ranges"
        : "BYPASS_2FACTOR: relaxes once identity is verified";
    case "ENFORCE":
      return "ENFORCE: never relaxes";
  }
}

/** Stores equal values once: `add` returns the index of a value equal to the one given. */
class Interner<T> {
  readonly values: T[] = [];
  private readonly index = new Map<string, number>();
  add(value: T, key: string = canonicalJson(value)): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.index.set(key, i);
    }
    return i;
  }
}

function reasonsOf(decision: Decision, reasons: Interner<VerdictReason>): number[] {
  return decision.reasons.map((r) => {
    const source = r.source
      ? { kind: r.source.kind, name: r.source.name, file: r.source.file, line: r.source.line }
      : null;
    const key = JSON.stringify([r.code, r.message, source?.kind, source?.name, source?.file, source?.line]);
    return reasons.add({ code: r.code, message: r.message, source }, key);
  });
}

interface CellInput {
  readonly subject: MatrixSubject;
  readonly app: ConnectedAppModel;
  readonly clientId: string;
  readonly family: GrantFamily;
  readonly inside: string;
  readonly outside: string | null;
  readonly restricted: boolean;
}

/** Decides one cell: a request from inside the ranges in a high-assurance session, then the variants that explain it. */
function decideCell(decide: Decide, cell: CellInput, reasons: Interner<VerdictReason>): Verdict {
  const { subject, app, family } = cell;
  const request = (sourceIp: string, session: Record<string, boolean> | undefined): unknown => ({
    user: requestUser(subject, subject.userType),
    app: { clientId: cell.clientId },
    channel: family.channel,
    grant: family.grant,
    sourceIp,
    login: true,
    ...(session ? { session } : {}),
    ...(app.sites && app.sites[0] !== undefined ? { site: app.sites[0] } : {}),
  });
  const base = decide(request(cell.inside, { highAssurance: true }));
  let highAssurance: string | null = null;
  // Only an allowed request can be held back by the session alone.
  if (app.highAssurance && base.allow) {
    const without = decide(request(cell.inside, undefined));
    highAssurance = without.reasons.map((r) => r.code).find((c) => HIGH_ASSURANCE_CODES.has(c)) ?? null;
  }
  let ip: IpOutcome = "anywhere";
  if (!base.allow) ip = "n/a";
  else if (cell.restricted && cell.outside !== null) {
    const outside = decide(request(cell.outside, { highAssurance: true }));
    if (outside.allow) ip = "relaxed";
    else if (app.ipRelaxation === "BYPASS_2FACTOR" && family.grant === "web_server" && family.channel === "api") {
      const verified = decide(request(cell.outside, { highAssurance: true, identityVerified: true }));
      ip = verified.allow ? "relaxed-verified" : "limited";
    } else ip = "limited";
  }
  return {
    allow: base.allow,
    reasons: reasonsOf(base, reasons),
    notes: base.notes.map((n) => n.code),
    ip,
    relaxation: relaxationText(app, family),
    highAssurance,
  };
}

/**
 * The effective access matrix: for every subject, connected app and request family, the decision
 * the runtime gives a representative request, with the variants that show where it is limited
 * to and what relaxes it. Identical verdicts are stored once.
 */
export function computeMatrix(policy: PolicySet, decide: Decide): Matrix {
  const subjects = matrixSubjects(policy);
  const apps = [...policy.apps.values()].sort((a, b) => compareText(a.name, b.name));
  const verdicts = new Interner<Verdict>();
  const reasons = new Interner<VerdictReason>();
  const intern = (v: Verdict): number =>
    verdicts.add(v, JSON.stringify([v.allow, v.reasons, v.notes, v.ip, v.relaxation, v.highAssurance]));
  const addresses: Record<string, { inside: string; outside: string | null }> = {};
  const cells = subjects.map((subject) => {
    // INVARIANT: subjects are built from declared profiles.
    const profile = policy.profiles.get(subject.profile)!;
    const inside = insideAddress(profile.loginIpRanges.length > 0 ? profile.loginIpRanges : policy.org.trustedIpRanges);
    const restricted = profile.loginIpRanges.length > 0;
    const outsideProfile = outsideAddress(profile.loginIpRanges);
    addresses[subject.profile] = { inside, outside: restricted ? outsideProfile : null };
    const row: number[] = [];
    for (const app of apps) {
      const clientId = [...app.clientIds].sort(compareText)[0];
      const outside =
        app.trustedIpRanges.length > 0 ? outsideAddress(profile.loginIpRanges, app.trustedIpRanges) : outsideProfile;
      for (const family of GRANT_FAMILIES) {
        if (clientId === undefined) {
          row.push(intern(unreachable(app, family, reasons)));
          continue;
        }
        row.push(intern(decideCell(decide, { subject, app, clientId, family, inside, outside, restricted }, reasons)));
      }
    }
    return row;
  });
  const matrixApps: MatrixApp[] = apps.map((a) => ({
    name: a.name,
    label: a.label ?? a.name,
    clientId: [...a.clientIds].sort(compareText)[0] ?? null,
    ipRelaxation: a.ipRelaxation,
    source: { file: a.source.file, line: a.source.line },
  }));
  return {
    families: GRANT_FAMILIES,
    subjects,
    apps: matrixApps,
    verdicts: verdicts.values,
    reasons: reasons.values,
    cells,
    addresses,
  };
}

/** The verdict for an app no request can name (it has no client id). */
function unreachable(app: ConnectedAppModel, family: GrantFamily, reasons: Interner<VerdictReason>): Verdict {
  return {
    allow: false,
    reasons: [
      reasons.add({
        code: "NO_CLIENT_ID",
        message: `connected app \`${app.name}\` has no client id, so no request can name it`,
        source: { kind: "ConnectedApp", name: app.name, file: app.source.file, line: app.source.line },
      }),
    ],
    notes: [],
    ip: "n/a",
    relaxation: relaxationText(app, family),
    highAssurance: null,
  };
}
