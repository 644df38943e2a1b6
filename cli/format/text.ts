import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { countBySeverity } from "../../compiler/diagnostics/diagnostic.js";
import { terminalSafe } from "./terminal-safe.js";

/** Colours for terminal output; identity functions when colour is off. */
export interface Palette {
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly blue: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly green: (s: string) => string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

/** A palette with ANSI colours, or without when `color` is false. */
export function palette(color: boolean): Palette {
  if (!color) {
    const id = (s: string): string => s;
    return { red: id, yellow: id, blue: id, bold: id, dim: id, green: id };
  }
  return {
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    blue: wrap(34, 39),
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    green: wrap(32, 39),
  };
}

function frame(
  text: string | undefined,
  line: number,
  column: number,
  endLine: number,
  endColumn: number,
  p: Palette,
  gutter: number,
): string[] {
  if (text === undefined) return [];
  const lines = text.split(/\r?\n/);
  const source = lines[line - 1];
  if (source === undefined) return [];
  const width = endLine === line ? Math.max(1, endColumn - column) : Math.max(1, source.length - column + 1);
  const pad = " ".repeat(gutter);
  // The source line is the policy author's text: shown escaped (tabs as one space each).
  const shown = terminalSafe(source.replace(/\t/g, " "));
  return [
    `${pad} ${p.blue("|")}`,
    `${p.blue(String(line).padStart(gutter))} ${p.blue("|")} ${shown}`,
    `${pad} ${p.blue("|")} ${" ".repeat(Math.max(0, column - 1))}${p.red("^".repeat(Math.min(width, Math.max(1, shown.length - column + 2))))}`,
  ];
}

/**
 * Renders diagnostics like a compiler: `file:line:col: severity CODE: message`, a code frame
 * with a caret under the span, related locations and the help line; then a summary.
 */
export function renderText(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  color: boolean,
): string {
  const p = palette(color);
  const out: string[] = [];
  for (const d of diagnostics) {
    const severity =
      d.severity === "error"
        ? p.red(p.bold("error"))
        : d.severity === "warning"
          ? p.yellow(p.bold("warning"))
          : p.blue(p.bold("info"));
    // Messages and hints quote source text, which may hold control or bidirectional characters.
    out.push(
      `${p.bold(`${terminalSafe(d.file)}:${d.line}:${d.column}:`)} ${severity} ${p.bold(`${d.code}:`)} ${terminalSafe(d.message)}`,
    );
    const gutter = Math.max(String(d.line).length, ...(d.related ?? []).map((r) => String(r.line).length));
    out.push(...frame(sources.get(d.file), d.line, d.column, d.endLine, d.endColumn, p, gutter));
    for (const r of d.related ?? []) {
      out.push(
        `${" ".repeat(gutter)} ${p.blue("=")} ${p.bold("note:")} ${terminalSafe(r.message)} at ${terminalSafe(r.file)}:${r.line}:${r.column}`,
      );
      out.push(...frame(sources.get(r.file), r.line, r.column, r.endLine, r.endColumn, p, gutter));
    }
    if (d.hint) out.push(`${" ".repeat(gutter)} ${p.blue("=")} ${p.bold("help:")} ${terminalSafe(d.hint)}`);
    out.push("");
  }
  out.push(summary(diagnostics, p));
  return `${out.join("\n")}\n`;
}

/** One line: how many errors and warnings, or that all is well. */
export function summary(diagnostics: readonly Diagnostic[], p: Palette = palette(false)): string {
  const counts = countBySeverity(diagnostics);
  if (counts.error === 0 && counts.warning === 0 && counts.info === 0) return p.green("no problems found");
  const parts = [
    counts.error > 0 ? p.red(`${counts.error} error${counts.error === 1 ? "" : "s"}`) : undefined,
    counts.warning > 0 ? p.yellow(`${counts.warning} warning${counts.warning === 1 ? "" : "s"}`) : undefined,
    counts.info > 0 ? `${counts.info} note${counts.info === 1 ? "" : "s"}` : undefined,
  ].filter((x): x is string => x !== undefined);
  return parts.join(", ");
}
