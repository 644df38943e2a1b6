import { createHash } from "node:crypto";
import { FINDING_SPECS, findingSpec, type FindingSeverity, type Review } from "../../compiler/review/index.js";
import {
  DOCS_URI,
  renderFailedSarif,
  renderSarif,
  type SarifLevel,
  type SarifNotification,
  type SarifRule,
  type SarifRun,
} from "./sarif.js";
import { cvssText } from "./review-text.js";

const LEVELS: Record<FindingSeverity, SarifLevel> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

/** Where the findings are documented (docs/review.md, one heading per finding). */
export const REVIEW_DOC_URI = `${DOCS_URI}/review`;

const TOOL = (version: string) => ({ name: "gatehouse", version, informationUri: REVIEW_DOC_URI });

/** Every finding as a SARIF rule: `security-severity` is the top of its CVSS range, as GitHub code scanning reads it. */
export function reviewRules(): SarifRule[] {
  return FINDING_SPECS.map((spec) => ({
    id: spec.id,
    name: spec.slug,
    shortDescription: spec.title,
    fullDescription: spec.checks,
    // The anchor GitHub renders for the finding's heading `### GR001 integration-user-not-api-only`.
    helpUri: `${REVIEW_DOC_URI}#${spec.id.toLowerCase()}-${spec.slug}`,
    help: [
      `**${spec.title}** (${spec.severity}, CVSS ${cvssText(spec.cvss.min, spec.cvss.max)})`,
      "",
      spec.checks,
      "",
      `**Recommended configuration:** ${spec.recommendation}`,
      "",
      `**Security impact:** ${spec.securityImpact}`,
      "",
      `**Business impact:** ${spec.businessImpact}`,
      "",
      "**Threat scenarios:**",
      ...spec.threatScenarios.map((t) => `- ${t}`),
    ].join("\n"),
    defaultLevel: LEVELS[spec.severity],
    properties: {
      "security-severity": spec.cvss.max.toFixed(1),
      tags: ["security", `severity/${spec.severity}`],
      precision: "very-high",
    },
  }));
}

/** A review as SARIF 2.1.0: one result per finding, acknowledged ones carrying an accepted in-source suppression. */
export function renderReviewSarif(result: Review, version: string, run: SarifRun): string {
  return renderSarif(
    TOOL(version),
    reviewRules(),
    result.findings.map((f) => {
      const [primary, ...rest] = f.locations;
      const ack = f.acknowledgement;
      return {
        ruleId: f.id,
        level: LEVELS[f.severity],
        message: f.message,
        locations: primary ? [primary] : [],
        relatedLocations: ack ? [...rest, ack.location] : rest,
        fingerprint: createHash("sha256").update(`${f.id}\u0000${f.subject.kind}\u0000${f.subject.name}`).digest("hex"),
        properties: {
          severity: f.severity,
          "security-severity": (findingSpec(f.id)?.cvss.max ?? 0).toFixed(1),
          affected: f.affected,
        },
        ...(ack
          ? { suppression: { justification: `${ack.reason}${ack.expires ? ` (until ${ack.expires})` : ""}` } }
          : {}),
      };
    }),
    run,
  );
}

/** A SARIF log saying that the review could not run (e.g. the policy set has errors), and why. */
export function renderFailedReviewSarif(
  notifications: readonly SarifNotification[],
  version: string,
  run: SarifRun,
): string {
  return renderFailedSarif(TOOL(version), reviewRules(), notifications, run);
}
