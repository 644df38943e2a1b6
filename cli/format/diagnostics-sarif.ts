import { createHash } from "node:crypto";
import type { Diagnostic, Severity } from "../../compiler/diagnostics/diagnostic.js";
import { codeSpecs } from "../../compiler/diagnostics/codes.js";
import {
  artifactLocation,
  DOCS_URI,
  renderFailedSarif,
  renderSarif,
  type SarifLevel,
  type SarifNotification,
  type SarifResult,
  type SarifRule,
  type SarifRun,
} from "./sarif.js";

/** Where the diagnostic codes are documented (docs/diagnostics.md, one anchor per code). */
export const DIAGNOSTICS_DOC_URI = `${DOCS_URI}/diagnostics`;

const LEVELS: Record<Severity, SarifLevel> = { error: "error", warning: "warning", info: "note" };

/** Every registered diagnostic code as a SARIF rule: slug as name, summary, fix and example as help. */
export function diagnosticRules(): SarifRule[] {
  return codeSpecs().map(([id, spec]) => ({
    id,
    name: spec.slug,
    shortDescription: spec.summary,
    fullDescription: `${spec.summary} ${spec.fix}`,
    helpUri: `${DIAGNOSTICS_DOC_URI}#${id.toLowerCase()}`,
    help:
      spec.example === undefined
        ? `${spec.fix}\n\nFor example: ${spec.situation ?? ""}`
        : `${spec.fix}\n\nFor example:\n\n${spec.example
            .split("\n")
            .map((l) => `    ${l}`)
            .join("\n")}`,
    defaultLevel: LEVELS[spec.severity],
    properties: { tags: ["gatehouse", spec.slug] },
  }));
}

/**
 * A fingerprint that survives edits elsewhere in the file: the code, the file, the JSON Pointer
 * of the offending value and the message, never the line. Results that would collide (the same
 * problem reported twice in one place) are told apart by their order.
 */
function fingerprints(diagnostics: readonly Diagnostic[], run: SarifRun): string[] {
  const seen = new Map<string, number>();
  return diagnostics.map((d) => {
    const key = [d.code, artifactLocation(d.file, run.root, run.cwd).uri, d.pointer, d.message].join("\u0000");
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return createHash("sha256").update(`${key}\u0000${n}`).digest("hex").slice(0, 32);
  });
}

/**
 * Diagnostics as a SARIF 2.1.0 log for GitHub code scanning: one rule per registered code, one
 * result per diagnostic with its related locations, paths relative to `run.root` (the repository
 * root) and a stable fingerprint.
 */
export function renderDiagnosticsSarif(diagnostics: readonly Diagnostic[], version: string, run: SarifRun): string {
  const prints = fingerprints(diagnostics, run);
  const results: SarifResult[] = diagnostics.map((d, i) => ({
    ruleId: d.code,
    level: LEVELS[d.severity],
    message: d.hint === undefined ? d.message : `${d.message}\nhelp: ${d.hint}`,
    locations: [{ file: d.file, line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn }],
    relatedLocations: (d.related ?? []).map((r) => ({
      file: r.file,
      line: r.line,
      column: r.column,
      endLine: r.endLine,
      endColumn: r.endColumn,
      message: r.message,
    })),
    fingerprint: prints[i]!,
    properties: { pointer: d.pointer },
  }));
  return renderSarif(diagnosticsTool(version), diagnosticRules(), results, run);
}

function diagnosticsTool(version: string) {
  return { name: "gatehouse", version, informationUri: DIAGNOSTICS_DOC_URI };
}

/** A SARIF log saying that a command reporting diagnostics could not run, and why. */
export function renderFailedDiagnosticsSarif(
  notifications: readonly SarifNotification[],
  version: string,
  run: SarifRun,
): string {
  return renderFailedSarif(diagnosticsTool(version), diagnosticRules(), notifications, run);
}
