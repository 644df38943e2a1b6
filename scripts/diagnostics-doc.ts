/**
 * Renders docs/diagnostics.md from the diagnostic code registry: one table row per code with
 * its slug, severity, summary, an example and the fix.
 */
import { join } from "node:path";
import * as prettier from "prettier";
import { codeSpecs, type CodeSpec } from "../compiler/diagnostics/codes.js";

/**
 * Escapes text for a `<code>` element inside a Markdown table cell: HTML specials, the cell
 * separator, and every character Markdown would read as emphasis, code or a link.
 */
function html(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[|*_`[\]\\]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/ {2}/g, "&nbsp;&nbsp;");
}

/** Escapes Markdown text for a table cell (prose with inline code spans). */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function example(spec: CodeSpec): string {
  if (spec.example !== undefined) return `<code>${spec.example.split("\n").map(html).join("<br>")}</code>`;
  return cell(spec.situation ?? "");
}

/** docs/diagnostics.md as Markdown text formatted by Prettier. */
export async function renderDiagnosticsDoc(root: string): Promise<string> {
  const rows = codeSpecs().map(
    ([code, spec]) =>
      `| <a id="${code.toLowerCase()}"></a>${code} | \`${spec.slug}\` | ${spec.severity} | ${cell(spec.summary)} | ${example(spec)} | ${cell(spec.fix)} |`,
  );
  const text = [
    "<!-- Generated from compiler/diagnostics/codes.ts by `npm run generate`; do not edit. -->",
    "",
    "# Diagnostic codes",
    "",
    "Every problem `gatehouse check` (and `gatehouse build`) reports carries one of these codes.",
    "Codes are stable: a code is never reused for another meaning. `GH0xx` are about reading",
    "YAML, `GH1xx` about the shape of a document (its JSON Schema), `GH2xx` are semantic errors,",
    "`GH3xx` semantic warnings, and `GH4xx` come from the OPA toolchain and the build.",
    "",
    "Errors stop the build; warnings do not, unless `--fail-on-warnings` is given. In SARIF output",
    "each code is a rule whose `name` is its slug and whose `helpUri` links to its row here.",
    "",
    "| code | slug | severity | summary | example | fix |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
  const options = (await prettier.resolveConfig(join(root, "package.json"))) ?? {};
  return prettier.format(text, { ...options, parser: "markdown" });
}
