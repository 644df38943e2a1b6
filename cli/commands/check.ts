import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.js";
import type { SourceSet } from "../../compiler/load/index.js";
import { compile } from "../../compiler/pipeline.js";
import { gatehouseVersion } from "../../core/package-root.js";
import { renderDiagnosticsSarif } from "../format/diagnostics-sarif.js";
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

/** Renders diagnostics in `format`. */
export function renderDiagnostics(
  format: DiagnosticFormat,
  diagnostics: readonly Diagnostic[],
  sources: SourceSet | undefined,
  io: Io,
): string {
  switch (format) {
    case "json":
      return renderJson(diagnostics);
    case "github":
      return renderGithub(diagnostics);
    case "sarif":
      return renderDiagnosticsSarif(diagnostics, gatehouseVersion(), io.cwd ?? process.cwd());
    case "text":
      return renderText(diagnostics, sourceTexts(sources), useColor(io));
  }
}

/** Options of `gatehouse check`. */
export interface CheckOptions {
  readonly format: DiagnosticFormat;
  readonly failOnWarnings: boolean;
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
  const compilation = await compile(dir, { until: "emit" });
  io.stdout(renderDiagnostics(options.format, compilation.diagnostics, compilation.sources, io));
  if (hasErrors(compilation.diagnostics)) return errorExit(compilation.diagnostics);
  if (options.failOnWarnings && compilation.diagnostics.some((d) => d.severity === "warning")) return EXIT.policy;
  return EXIT.ok;
}
