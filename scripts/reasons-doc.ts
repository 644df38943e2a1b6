/**
 * Renders docs/reasons.md from the reason and note registry in core/codes.ts: the one table of
 * every code a decision can carry.
 */
import { NOTES, REASONS } from "../core/codes.js";

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** The Markdown of docs/reasons.md. */
export function renderReasonsDoc(): string {
  const lines = [
    "# Decision reasons and notes",
    "",
    "<!-- Generated from core/codes.ts by `npm run generate`; do not edit. -->",
    "",
    "Every decision is `{allow, reasons, notes, revision}`; `reasons` is empty exactly when `allow` is",
    "true. Reasons appear in the order below (the order of the decision procedure in",
    "[semantics.md](semantics.md) §4), each with a `message`, its `control` and the `source`",
    "declaration (`kind`, `name`, `file`, `line`) responsible, or `null` where none is. Codes are",
    "stable: a code is never reused for another meaning.",
    "",
    "## Reasons",
    "",
    "| # | code | control | source | meaning |",
    "| --- | --- | --- | --- | --- |",
    ...REASONS.map(
      (r, i) =>
        `| ${i + 1} | \`${r.code}\` | ${r.control} | ${r.source === null ? "—" : `\`${r.source}\``} | ${cell(r.summary)} |`,
    ),
    "",
    "`EVALUATION_ERROR` comes from the runtime, never from the policy: a WebAssembly trap, an",
    "undefined or malformed result, or a bundle that could not be loaded all deny with it.",
    "",
    "## Notes",
    "",
    "Notes never deny. They are computed for allowed and denied requests alike, except after",
    "`INPUT_INVALID` and `PROFILE_UNKNOWN`.",
    "",
    "| # | code | meaning |",
    "| --- | --- | --- |",
    ...NOTES.map((n, i) => `| ${i + 1} | \`${n.code}\` | ${cell(n.summary)} |`),
    "",
  ];
  return lines.join("\n");
}
