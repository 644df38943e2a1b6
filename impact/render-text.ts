/** Plain-text rendering of a diff and of a replay, for terminals and logs. */
import { CHANGE_KINDS, type ImpactReport } from "./classify.js";
import { describeCitation, describeRow } from "./describe.js";
import type { ReplayReport } from "./replay.js";
import { KIND_TITLES, sizeSentence, type DiffSummary } from "./summary.js";

/** The diff as text: a summary line, then each kind of change with its rows and citations. */
export function renderDiffText(summary: DiffSummary, report: ImpactReport): string {
  const lines = [`gatehouse diff ${summary.base} → ${summary.head}`, sizeSentence(summary)];
  if (report.rows.length === 0) lines.push("", "No request is decided differently.");
  for (const kind of CHANGE_KINDS) {
    const rows = report.rows.filter((r) => r.kind === kind);
    if (rows.length === 0) continue;
    lines.push("", `${KIND_TITLES[kind]} (${rows.length} rows, ${report.counts[kind]} request classes):`);
    for (const row of rows) {
      lines.push(`  - ${describeRow(row)}`);
      for (const c of row.citations) lines.push(`      ${describeCitation(c)}`);
    }
  }
  for (const b of summary.bounded) lines.push(`  not decided (limit): ${b.pair} (${b.classes} classes)`);
  return `${lines.join("\n")}\n`;
}

/** The replay as text: counts, then each (old reasons → new reasons) group with examples. */
export function renderReplayText(report: ReplayReport): string {
  const lines = [
    `gatehouse replay ${report.log} against ${report.bundle} (revision ${report.revision})`,
    `${report.events} events: ${report.same} same, ${report.changed} changed, ${report.unreplayable.count} unreplayable, ${report.unreadable.count} unreadable lines.`,
  ];
  for (const g of report.groups) {
    lines.push("", `${g.from} → ${g.to}: ${g.count}`);
    for (const e of g.examples) lines.push(`    line ${e.line}: ${JSON.stringify(e.input)}`);
  }
  if (report.unreplayable.count > 0)
    lines.push(
      "",
      `unreplayable (masked or missing input): lines ${report.unreplayable.lines.join(", ")}${report.unreplayable.more ? ", …" : ""}`,
    );
  if (report.unreadable.count > 0)
    lines.push(
      "",
      ...report.unreadable.problems.map((p) => `unreadable line ${p.line}: ${p.message}`),
      ...(report.unreadable.more ? ["…"] : []),
    );
  return `${lines.join("\n")}\n`;
}
