import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per diagnostic. */
export function renderGithub(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const command = d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "notice";
      const props = [
        `file=${escapeProperty(d.file)}`,
        `line=${d.line}`,
        `col=${d.column}`,
        `endLine=${d.endLine}`,
        `endColumn=${d.endColumn}`,
        `title=${escapeProperty(d.code)}`,
      ].join(",");
      const message = d.hint ? `${d.message}\nhelp: ${d.hint}` : d.message;
      return `::${command} ${props}::${escapeData(message)}\n`;
    })
    .join("");
}
