/**
 * Markdown for a pull request comment: a headline with the counts, then each kind of change in a
 * collapsible `<details>` block. The first line is a fixed HTML comment, so a CI job can find and
 * update its one comment instead of adding one per push.
 */
import { CHANGE_KINDS, type ImpactReport } from "./classify.js";
import { describeCitation, describeRow } from "./describe.js";
import type { ReplayReport } from "./replay.js";
import { KIND_TITLES, sizeSentence, type DiffSummary } from "./summary.js";

/** Most rows shown per kind of change: a pull request comment holds at most 65,536 characters. */
export const MARKDOWN_ROWS = 40;

/** The marker the diff comment starts with. */
export const DIFF_COMMENT_MARKER = "<!-- gatehouse-diff -->";

/** Text that is safe inside Markdown outside code spans (HTML tags and pipes neutralized). */
function escape(text: string): string {
  return text.replace(/[<>&|]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Backtick spans are kept; everything between them is escaped. */
function inline(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : escape(part)))
    .join("");
}

/** The diff as a pull request comment. */
export function renderDiffMarkdown(summary: DiffSummary, report: ImpactReport): string {
  const c = report.counts;
  const headline =
    report.rows.length === 0
      ? "**No access changes.** No request is decided differently."
      : `**${report.rows.filter((r) => r.kind === "gained").length} access gained**, ${report.rows.filter((r) => r.kind === "lost").length} lost, ${report.rows.filter((r) => r.kind === "reasons").length} with other deny reasons, ${report.rows.filter((r) => r.kind === "notes").length} with other notes.`;
  const out = [
    DIFF_COMMENT_MARKER,
    `### Gatehouse access diff: \`${summary.base}\` → \`${summary.head}\``,
    "",
    headline,
    "",
    `<sub>${escape(sizeSentence(summary))}</sub>`,
  ];
  for (const kind of CHANGE_KINDS) {
    const rows = report.rows.filter((r) => r.kind === kind);
    if (rows.length === 0) continue;
    out.push(
      "",
      `<details${kind === "gained" || kind === "lost" ? " open" : ""}>`,
      `<summary><b>${KIND_TITLES[kind]}</b> (${rows.length}; ${c[kind]} request classes)</summary>`,
      "",
    );
    for (const row of rows.slice(0, MARKDOWN_ROWS)) {
      out.push(`- ${inline(describeRow(row))}`);
      for (const cite of row.citations) out.push(`  - ${inline(describeCitation(cite))}`);
    }
    if (rows.length > MARKDOWN_ROWS)
      out.push(
        `- … and ${rows.length - MARKDOWN_ROWS} more rows: run \`gatehouse diff\` with \`--format text\` or \`json\` for all of them`,
      );
    out.push("", "</details>");
  }
  if (summary.bounded.length > 0) {
    out.push("", "<details>", "<summary><b>Not decided (limit reached)</b></summary>", "");
    for (const b of summary.bounded) out.push(`- ${inline(b.pair)} (${b.classes} classes)`);
    out.push("", "</details>");
  }
  return `${out.join("\n")}\n`;
}

/** The replay as Markdown. */
export function renderReplayMarkdown(report: ReplayReport): string {
  const out = [
    `### Gatehouse replay against revision \`${report.revision}\``,
    "",
    `${report.events} logged decisions: **${report.changed} changed**, ${report.same} same, ${report.unreplayable.count} unreplayable, ${report.unreadable.count} unreadable lines.`,
  ];
  if (report.groups.length > 0) {
    out.push("", "| was | now | decisions |", "| --- | --- | ---: |");
    for (const g of report.groups) out.push(`| ${escape(g.from)} | ${escape(g.to)} | ${g.count} |`);
    out.push("", "<details>", "<summary>Examples</summary>", "");
    for (const g of report.groups) {
      out.push(`- ${escape(g.from)} → ${escape(g.to)}`);
      for (const e of g.examples) out.push(`  - line ${e.line}: \`${JSON.stringify(e.input).replace(/`/g, "'")}\``);
    }
    out.push("", "</details>");
  }
  if (report.unreplayable.count > 0)
    out.push(
      "",
      `Unreplayable (masked or incomplete events), lines: ${report.unreplayable.lines.join(", ")}${report.unreplayable.more ? ", …" : ""}.`,
    );
  if (report.unreadable.count > 0)
    out.push(
      "",
      `Unreadable lines: ${report.unreadable.problems.map((p) => p.line).join(", ")}${report.unreadable.more ? ", …" : ""}.`,
    );
  return `${out.join("\n")}\n`;
}
