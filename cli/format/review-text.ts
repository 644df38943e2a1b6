import {
  SEVERITIES,
  findingSpec,
  type Finding,
  type FindingSeverity,
  type Review,
} from "../../compiler/review/index.js";
import { palette, type Palette } from "./text.js";

/** `9.0–10.0`, or `n/a` for a finding without a CVSS range. */
export function cvssText(min: number, max: number): string {
  return max === 0 ? "n/a" : `${min.toFixed(1)}–${max.toFixed(1)}`;
}

/** Counts of open and acknowledged findings per severity. */
export function countFindings(
  findings: readonly Finding[],
): Record<FindingSeverity, { open: number; acknowledged: number }> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, { open: 0, acknowledged: 0 }])) as Record<
    FindingSeverity,
    { open: number; acknowledged: number }
  >;
  for (const f of findings) counts[f.severity][f.acknowledgement ? "acknowledged" : "open"]++;
  return counts;
}

function heading(severity: FindingSeverity, p: Palette): (s: string) => string {
  switch (severity) {
    case "critical":
      return (s) => p.red(p.bold(s));
    case "high":
      return p.red;
    case "medium":
      return p.yellow;
    case "low":
      return p.blue;
    case "info":
      return p.dim;
  }
}

/** One line per count: `2 critical, 1 high (1 acknowledged)`, or that nothing was found. */
export function reviewSummary(findings: readonly Finding[]): string {
  const counts = countFindings(findings);
  const parts = SEVERITIES.filter((s) => counts[s].open + counts[s].acknowledged > 0).map((s) => {
    const { open, acknowledged } = counts[s];
    return `${open + acknowledged} ${s}${acknowledged > 0 ? ` (${acknowledged} acknowledged)` : ""}`;
  });
  return parts.length === 0 ? "no findings" : parts.join(", ");
}

/**
 * Renders a review for a terminal: the score, then findings grouped by severity, each with its
 * positions (`file:line:column`), who is affected, its acknowledgement and the fix.
 */
export function renderReviewText(result: Review, dir: string, color: boolean): string {
  const p = palette(color);
  const out: string[] = [
    `${p.bold(`gatehouse review of ${dir}`)}: score ${p.bold(`${result.score.value}/100`)} (${result.score.grade})`,
    "",
  ];
  for (const severity of SEVERITIES) {
    const group = result.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push(heading(severity, p)(`${severity.toUpperCase()} (${group.length})`));
    for (const f of group) {
      const spec = findingSpec(f.id);
      const ack = f.acknowledgement;
      out.push(`  ${p.bold(f.id)} ${f.message}${ack ? ` ${p.green("[acknowledged]")}` : ""}`);
      f.locations.forEach((l, i) =>
        out.push(`    ${p.blue(i === 0 ? "-->" : "   ")} ${l.file}:${l.line}:${l.column}  ${p.dim(l.message)}`),
      );
      if (f.affected.length > 0) out.push(`    ${p.bold("affected:")} ${f.affected.join(", ")}`);
      if (ack) {
        out.push(
          `    ${p.bold("acknowledged:")} by \`${ack.name}\`${ack.expires ? ` until ${ack.expires}` : ""} at ${ack.location.file}:${ack.location.line}:${ack.location.column}: ${ack.reason}`,
        );
      }
      if (spec) {
        out.push(`    ${p.bold("fix:")} ${spec.recommendation}`);
        if (spec.cvss.max > 0)
          out.push(`    ${p.dim(`${spec.title}; CVSS ${cvssText(spec.cvss.min, spec.cvss.max)}`)}`);
      }
      out.push("");
    }
  }
  if (result.unverified.length > 0) {
    out.push(p.bold(`UNVERIFIED (${result.unverified.length}): rest on metadata the import did not see; not scored`));
    for (const f of result.unverified) {
      const l = f.locations[0];
      out.push(`  ${p.bold(f.id)} ${f.message} ${p.dim(`(${f.severity} if confirmed)`)}`);
      if (l) out.push(`    ${p.blue("-->")} ${l.file}:${l.line}:${l.column}  ${p.dim(l.message)}`);
      for (const r of f.unverified?.retrieve ?? []) out.push(`    ${p.bold("to confirm:")} ${r}`);
      out.push("");
    }
  }
  out.push(
    `${reviewSummary(result.findings)}${result.unverified.length > 0 ? `; ${result.unverified.length} unverified` : ""}`,
  );
  return `${out.join("\n")}\n`;
}
