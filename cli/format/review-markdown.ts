import { SEVERITIES, findingSpec, type Review } from "../../compiler/review/index.js";
import { countFindings, cvssText } from "./review-text.js";

const ENTITIES: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;", "@": "&#64;", "\\": "&#92;" };

/**
 * Makes a one-line message safe for GitHub Markdown: text between backticks stays a code span;
 * elsewhere HTML, entity and mention characters are escaped, so a declaration's name can neither
 * inject markup nor notify anyone.
 */
export function markdownInline(text: string): string {
  return text
    .split(/(`[^`\n]*`)/)
    .map((part) =>
      part.startsWith("`") && part.endsWith("`") && part.length > 1
        ? part
        : part.replace(/[<>&@\\]/g, (c) => ENTITIES[c] ?? c),
    )
    .join("");
}

/** A review as Markdown for a pull-request comment: score, counts, then each finding id with its instances and documentation. */
export function renderReviewMarkdown(result: Review): string {
  const counts = countFindings(result.findings);
  const out: string[] = [
    `## Gatehouse security review: ${result.score.value}/100 (${result.score.grade})`,
    "",
    "| Severity | Open | Acknowledged |",
    "| --- | ---: | ---: |",
    ...SEVERITIES.map((s) => `| ${s} | ${counts[s].open} | ${counts[s].acknowledged} |`),
    "",
  ];
  if (result.findings.length === 0) out.push("No findings.", "");
  for (const severity of SEVERITIES) {
    const group = result.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push(`### ${severity[0]!.toUpperCase()}${severity.slice(1)}`, "");
    for (const id of [...new Set(group.map((f) => f.id))]) {
      const spec = findingSpec(id);
      out.push(`#### ${id}: ${spec?.title ?? id}`, "");
      for (const f of group.filter((g) => g.id === id)) {
        const where = f.locations.map((l) => `\`${l.file}:${l.line}\``).join(", ");
        out.push(`- ${markdownInline(f.message)} (${where})${f.acknowledgement ? " **acknowledged**" : ""}`);
        if (f.affected.length > 0) out.push(`  - Affected: ${f.affected.map(markdownInline).join(", ")}`);
        const ack = f.acknowledgement;
        if (ack)
          out.push(
            `  - Acknowledged by ${markdownInline(`\`${ack.name}\``)}${ack.expires ? ` until ${ack.expires}` : ""}: ${markdownInline(ack.reason)}`,
          );
      }
      if (spec) {
        out.push(
          "",
          "<details><summary>Why it matters and how to fix it</summary>",
          "",
          `CVSS ${cvssText(spec.cvss.min, spec.cvss.max)} (${markdownInline(spec.basis)}).`,
          "",
          `**Recommended configuration:** ${markdownInline(spec.recommendation)}`,
          "",
          `**Security impact:** ${markdownInline(spec.securityImpact)}`,
          "",
          `**Business impact:** ${markdownInline(spec.businessImpact)}`,
          "",
          "**Threat scenarios:**",
          "",
          ...spec.threatScenarios.map((t) => `- ${markdownInline(t)}`),
          "",
          "</details>",
        );
      }
      out.push("");
    }
  }
  if (result.unverified.length > 0) {
    out.push("### Unverified", "", "These rest on metadata the import did not see; they are not scored.", "");
    for (const f of result.unverified) {
      const where = f.locations.map((l) => `\`${l.file}:${l.line}\``).join(", ");
      out.push(`- ${f.id} (${f.severity} if confirmed): ${markdownInline(f.message)} (${where})`);
      for (const r of f.unverified?.retrieve ?? []) out.push(`  - To confirm: ${markdownInline(r)}`);
    }
    out.push("");
  }
  return `${out.join("\n").replace(/\n+$/, "")}\n`;
}
