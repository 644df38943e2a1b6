/**
 * Renders docs/review.md from the review registry and the scorer's constants, so the
 * documentation of every finding and of the score cannot drift from the code.
 */
import { join } from "node:path";
import * as prettier from "prettier";
import { FINDING_SPECS, GRADES, SEVERITY_WEIGHTS, SEVERITIES } from "../compiler/review/index.js";

function cvss(min: number, max: number): string {
  return max === 0 ? "n/a" : `${min.toFixed(1)}–${max.toFixed(1)}`;
}

/** docs/review.md as Markdown formatted by Prettier. */
export async function renderReviewDoc(root: string): Promise<string> {
  const lines: string[] = [
    "<!-- Generated from compiler/review by `npm run generate`; do not edit. -->",
    "",
    "# Security review",
    "",
    "`gatehouse review DIR` reports the security findings of a policy set, modelled on Salesforce's",
    "Security Health Review controls and Health Check (docs/semantics.md §6). Every finding has a",
    "stable id, a severity, an estimated CVSS range, threat scenarios, security and business impact,",
    "the recommended configuration, who is affected, and every YAML position involved.",
    "",
    "```sh",
    "gatehouse review policies/                      # text, grouped by severity",
    "gatehouse review policies/ --format markdown    # a pull-request comment",
    "gatehouse review policies/ --format sarif       # GitHub code scanning",
    "gatehouse review policies/ --format json",
    "gatehouse review policies/ --fail-on high       # exit 1 on an open high or critical finding",
    "```",
    "",
    "## Score",
    "",
    "In the spirit of Health Check, the score is the severity-weighted share of the checks that pass:",
    "",
    "```",
    "score = round(100 × earned / possible)",
    "```",
    "",
    "where `possible` sums the weight of every check that applies to the policy set (a check applies",
    "when there is something for it to examine: no integration users means the integration-user",
    "check does not count; an edition without API access control skips that check), and `earned`",
    "sums the weight of the applicable checks that reported no finding. A policy set to which no",
    "weighted check applies scores 100. Acknowledged findings still fail their check: the score",
    "measures the configuration, and an accepted risk is still a risk. The weights:",
    "",
    "| severity | weight |",
    "| --- | ---: |",
    ...SEVERITIES.map((s) => `| ${s} | ${SEVERITY_WEIGHTS[s]} |`),
    "",
    "The grade follows Health Check's bands:",
    "",
    "| score | grade |",
    "| --- | --- |",
    ...GRADES.map(([min, grade], i) => {
      const upper = i === 0 ? 100 : GRADES[i - 1]![0] - 1;
      return `| ${min}–${upper} | ${grade} |`;
    }),
    "",
    "## Acknowledging a finding",
    "",
    "A finding whose risk is accepted is acknowledged in YAML, in a document of its own, so that it is",
    "reviewed and owned like any other change (and survives `gatehouse import sfdx`, which rewrites",
    "the imported files):",
    "",
    "```yaml",
    "kind: Acknowledgement",
    "name: field-service-bypass",
    "finding: GR004",
    "subject: { kind: ConnectedApp, name: Field_Service_Mobile } # omit for org-wide findings",
    "reason: Technicians work from customer sites; tokens expire after 7 idle days (SEC-1432).",
    "expires: 2027-03-31 # optional: the last day it holds",
    "```",
    "",
    "An acknowledged finding is still reported, marked as acknowledged with its reason (in SARIF, as",
    "an accepted in-source suppression); it no longer makes `--fail-on` fail. From the day after",
    "`expires` the acknowledgement acknowledges nothing and is itself reported (GR012), as is one",
    "that matches no finding (GR013). `--today YYYY-MM-DD` sets the date expiry is judged against",
    "(default: today's local date). `gatehouse check` reports an acknowledgement whose subject does",
    "not exist or whose date is not a calendar day.",
    "",
    "## Findings",
    "",
    "| id | title | severity | CVSS |",
    "| --- | --- | --- | --- |",
    ...FINDING_SPECS.map(
      (s) =>
        `| [${s.id}](#${s.id.toLowerCase()}-${s.slug}) | ${s.title} | ${s.severity} | ${cvss(s.cvss.min, s.cvss.max)} |`,
    ),
    "",
  ];
  for (const s of FINDING_SPECS) {
    lines.push(
      `### ${s.id} ${s.slug}`,
      "",
      `**${s.title}.** Severity ${s.severity}, CVSS ${cvss(s.cvss.min, s.cvss.max)} (${s.basis}).`,
      "",
      `**Checks:** ${s.checks}`,
      "",
      "**Threat scenarios:**",
      "",
      ...s.threatScenarios.map((t) => `- ${t}`),
      "",
      `**Security impact:** ${s.securityImpact}`,
      "",
      `**Business impact:** ${s.businessImpact}`,
      "",
      `**Recommended configuration:** ${s.recommendation}`,
      "",
      `**Affected:** ${s.affects}`,
      "",
    );
  }
  const options = (await prettier.resolveConfig(join(root, "package.json"))) ?? {};
  return prettier.format(lines.join("\n"), { ...options, parser: "markdown" });
}
