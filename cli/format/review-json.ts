import { findingSpec, type Review } from "../../compiler/review/index.js";
import { countFindings } from "./review-text.js";

/** A review as one JSON document: score, counts, and every finding with its documentation. */
export function renderReviewJson(result: Review, version: string): string {
  const findings = result.findings.map((f) => {
    const spec = findingSpec(f.id);
    return {
      id: f.id,
      slug: spec?.slug,
      title: spec?.title,
      severity: f.severity,
      cvss: spec?.cvss,
      subject: f.subject,
      message: f.message,
      locations: f.locations,
      affected: f.affected,
      acknowledged: f.acknowledgement !== undefined,
      ...(f.acknowledgement === undefined ? {} : { acknowledgement: f.acknowledgement }),
      threatScenarios: spec?.threatScenarios,
      securityImpact: spec?.securityImpact,
      businessImpact: spec?.businessImpact,
      recommendation: spec?.recommendation,
    };
  });
  return `${JSON.stringify(
    {
      tool: { name: "gatehouse", version },
      today: result.today,
      score: result.score,
      summary: countFindings(result.findings),
      checks: result.checks,
      findings,
      unverified: result.unverified.map((f) => ({
        id: f.id,
        severity: f.severity,
        subject: f.subject,
        message: f.message,
        locations: f.locations,
        restsOn: f.unverified?.facts ?? [],
        retrieve: f.unverified?.retrieve ?? [],
      })),
    },
    null,
    2,
  )}\n`;
}
