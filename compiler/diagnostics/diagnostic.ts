import type { DiagnosticCode } from "./codes.js";

/** How serious a diagnostic is: errors stop the build, warnings and infos do not. */
export type Severity = "error" | "warning" | "info";

/** A 1-based source span: start inclusive, end exclusive. */
export interface Span {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** A secondary location that explains a diagnostic (e.g. the other duplicate). */
export interface RelatedLocation extends Span {
  readonly file: string;
  readonly message: string;
}

/**
 * Everything the compiler reports, in one shape: a stable code, a severity, a one-line
 * lowercase message with user input in backticks, the span in the admin's YAML and the JSON
 * Pointer of the offending value inside its document.
 */
export interface Diagnostic extends Span {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly pointer: string;
  readonly hint?: string;
  readonly related?: readonly RelatedLocation[];
}

/** The result of a pipeline stage: its value when it could produce one, and what it found. */
export interface StageResult<T> {
  readonly value?: T;
  readonly diagnostics: readonly Diagnostic[];
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Sorts diagnostics by file, position, severity and code, so output is deterministic. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}

/** Compares strings by UTF-16 code units, independent of locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Counts diagnostics by severity. */
export function countBySeverity(diagnostics: readonly Diagnostic[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  return counts;
}
