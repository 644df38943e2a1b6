import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.js";
import type { SourceSet } from "../../compiler/load/index.js";
import { compile } from "../../compiler/pipeline.js";
import { gatehouseVersion } from "../../core/package-root.js";
import { renderDiagnosticsSarif, renderFailedDiagnosticsSarif } from "../format/diagnostics-sarif.js";
import { sarifRoot, type SarifNotification, type SarifRun } from "../format/sarif.js";
import { renderGithub } from "../format/github.js";
import { renderJson } from "../format/json.js";
import { renderText } from "../format/text.js";
import { CliError, errorExit, EXIT, useColor, type Io } from "../io.js";

/** The diagnostic output formats. */
export const DIAGNOSTIC_FORMATS = ["text", "json", "sarif", "github"] as const;
export type DiagnosticFormat = (typeof DIAGNOSTIC_FORMATS)[number];

/** The text of every policy file, by the path diagnostics name it with. */
export function sourceTexts(sources: SourceSet | undefined): Map<string, string> {
  return new Map((sources?.files ?? []).map((f) => [f.displayPath, f.text]));
}

/** Renders diagnostics in `format`; SARIF names the command and the repository root of `sarif`. */
export function renderDiagnostics(
  format: DiagnosticFormat,
  diagnostics: readonly Diagnostic[],
  sources: SourceSet | undefined,
  io: Io,
  sarif: SarifRun = { command: "check", root: io.cwd ?? process.cwd(), cwd: io.cwd ?? process.cwd() },
): string {
  switch (format) {
    case "json":
      return renderJson(diagnostics);
    case "github":
      return renderGithub(diagnostics);
    case "sarif":
      return renderDiagnosticsSarif(diagnostics, gatehouseVersion(), sarif);
    case "text":
      return renderText(diagnostics, sourceTexts(sources), useColor(io));
  }
}

/** Options of `gatehouse check`. */
export interface CheckOptions {
  readonly format: DiagnosticFormat;
  readonly failOnWarnings: boolean;
  /** The directory SARIF paths are relative to (default: the repository holding DIR). */
  readonly sarifRoot?: string;
}

/** Diagnostics as the notifications of a SARIF run that could not go ahead. */
export function diagnosticNotifications(diagnostics: readonly Diagnostic[]): SarifNotification[] {
  return diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => ({
      message: `${d.code}: ${d.message}`,
      location: { file: d.file, line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn },
    }));
}

/**
 * Runs `command`; when it throws and SARIF was asked for, first prints a SARIF log that says the
 * command could not run (`failed` renders it), so code scanning still receives a valid file.
 */
export async function sarifOnFailure<T>(
  sarif: boolean,
  io: Io,
  failed: (notifications: SarifNotification[]) => string,
  command: () => Promise<T>,
): Promise<T> {
  try {
    return await command();
  } catch (error) {
    if (sarif) io.stdout(failed([{ message: error instanceof Error ? error.message : String(error) }]));
    throw error;
  }
}

/** `gatehouse check DIR`: validates a policy set and reports every problem at once. */
export async function runCheck(dir: string, options: CheckOptions, io: Io): Promise<number> {
  if (!(DIAGNOSTIC_FORMATS as readonly string[]).includes(options.format)) {
    throw new CliError(
      `unknown format \`${options.format}\``,
      EXIT.usage,
      `use one of ${DIAGNOSTIC_FORMATS.join(", ")}`,
    );
  }
  const cwd = io.cwd ?? process.cwd();
  const run: SarifRun = { command: "check", root: sarifRoot(dir, cwd, options.sarifRoot), cwd };
  const failed = (notes: SarifNotification[]): string => renderFailedDiagnosticsSarif(notes, gatehouseVersion(), run);
  const compilation = await sarifOnFailure(options.format === "sarif", io, failed, () =>
    compile(dir, { until: "emit" }),
  );
  // No policy file could be read (a missing or empty directory): the check did not run.
  if (options.format === "sarif" && (compilation.sources?.files.length ?? 0) === 0) {
    io.stdout(failed(diagnosticNotifications(compilation.diagnostics)));
    return errorExit(compilation.diagnostics);
  }
  io.stdout(renderDiagnostics(options.format, compilation.diagnostics, compilation.sources, io, run));
  if (hasErrors(compilation.diagnostics)) return errorExit(compilation.diagnostics);
  if (options.failOnWarnings && compilation.diagnostics.some((d) => d.severity === "warning")) return EXIT.policy;
  return EXIT.ok;
}
