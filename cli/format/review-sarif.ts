import { createHash } from "node:crypto";
import { FINDING_SPECS, findingSpec, type FindingSeverity, type Review } from "../../compiler/review/index.js";
import { renderSarif, type SarifLevel, type SarifRule } from "./sarif.js";
import { cvssText } from "./review-text.js";

const LEVELS: Record<FindingSeverity, SarifLevel> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

/** Every finding as a SARIF rule: `security-severity` is the top of its CVSS range, as GitHub code scanning reads it. */
export function reviewRules(): SarifRule[] {
  return FINDING_SPECS.map((spec) => ({
    id: spec.id,
    name: spec.slug,
    shortDescription: spec.title,
    fullDescription: spec.checks,
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
export function renderReviewSarif(result: Review, version: string, root: string): string {
  return renderSarif(
    { name: "gatehouse", version, informationUri: "https://gatehouse.dev/docs/review" },
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
    root,
  );
}
