import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { countBySeverity } from "../../compiler/diagnostics/diagnostic.js";

/** Diagnostics as one JSON document: `{diagnostics, summary}`. */
export function renderJson(diagnostics: readonly Diagnostic[]): string {
  return `${JSON.stringify({ diagnostics, summary: countBySeverity(diagnostics) }, null, 2)}\n`;
}
