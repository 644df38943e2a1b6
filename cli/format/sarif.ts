/**
 * A small SARIF 2.1.0 writer shared by everything Gatehouse reports to code scanning
 * (`gatehouse check` diagnostics, `gatehouse review` findings). Locations are relative to the
 * repository root through the `%SRCROOT%` base, as GitHub code scanning expects.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";

/** A rule (a diagnostic code or a finding id) as SARIF describes it. */
export interface SarifRule {
  readonly id: string;
  /** A PascalCase or kebab name, e.g. `unknown-property`. */
  readonly name: string;
  readonly shortDescription: string;
  readonly fullDescription?: string;
  /** Markdown help: how to fix. */
  readonly help?: string;
  readonly defaultLevel: SarifLevel;
  /** Extra properties, e.g. `security-severity` (a CVSS-like score as text) and `tags`. */
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** SARIF result levels. */
export type SarifLevel = "error" | "warning" | "note";

/** A region of a file, 1-based, end column exclusive. */
export interface SarifLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly message?: string;
}

/** One result. The first location is the primary one. */
export interface SarifResult {
  readonly ruleId: string;
  readonly level: SarifLevel;
  readonly message: string;
  readonly locations: readonly SarifLocation[];
  readonly relatedLocations?: readonly SarifLocation[];
  /** Stable identity across runs, so code scanning tracks a result rather than re-opening it. */
  readonly fingerprint?: string;
  readonly properties?: Readonly<Record<string, unknown>>;
  /** Set when the result was accepted where it is declared (e.g. a review acknowledgement), with why. */
  readonly suppression?: { readonly justification: string };
}

/** The tool that produced the results. */
export interface SarifTool {
  readonly name: string;
  readonly version: string;
  readonly informationUri: string;
}

/**
 * The artifact location of a file: a URI relative to `root` under the `%SRCROOT%` base, with `/`
 * separators and percent-encoding; or an absolute `file:` URI for a file outside `root`, which
 * no relative reference could name without climbing out of the repository.
 */
export function artifactLocation(file: string, root: string): { uri: string; uriBaseId?: string } {
  const rel = relative(root, resolve(root, file));
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    return { uri: pathToFileURL(resolve(root, file)).href };
  return { uri: rel.split(sep).join("/").split("/").map(encodeURIComponent).join("/"), uriBaseId: "%SRCROOT%" };
}

function physicalLocation(l: SarifLocation, root: string): Record<string, unknown> {
  return {
    artifactLocation: artifactLocation(l.file, root),
    region: {
      startLine: l.line,
      startColumn: l.column,
      endLine: l.endLine,
      endColumn: Math.max(l.endColumn, l.line === l.endLine ? l.column + 1 : 1),
    },
  };
}

/**
 * Renders one SARIF 2.1.0 log with a single run. `root` is the directory paths are made relative
 * to (the repository root, usually the working directory).
 */
export function renderSarif(
  tool: SarifTool,
  rules: readonly SarifRule[],
  results: readonly SarifResult[],
  root: string,
): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            semanticVersion: tool.version,
            informationUri: tool.informationUri,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.shortDescription },
              ...(r.fullDescription === undefined ? {} : { fullDescription: { text: r.fullDescription } }),
              ...(r.help === undefined ? {} : { help: { text: r.help, markdown: r.help } }),
              defaultConfiguration: { level: r.defaultLevel },
              ...(r.properties === undefined ? {} : { properties: r.properties }),
            })),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(`${resolve(root)}${sep}`).href } },
        columnKind: "utf16CodeUnits",
        results: results.map((r) => ({
          ruleId: r.ruleId,
          ...(ruleIndex.has(r.ruleId) ? { ruleIndex: ruleIndex.get(r.ruleId) } : {}),
          level: r.level,
          message: { text: r.message },
          locations: r.locations.map((l) => ({ physicalLocation: physicalLocation(l, root) })),
          ...(r.relatedLocations && r.relatedLocations.length > 0
            ? {
                relatedLocations: r.relatedLocations.map((l, id) => ({
                  id,
                  physicalLocation: physicalLocation(l, root),
                  ...(l.message === undefined ? {} : { message: { text: l.message } }),
                })),
              }
            : {}),
          ...(r.fingerprint === undefined ? {} : { partialFingerprints: { "gatehouse/v1": r.fingerprint } }),
          ...(r.properties === undefined ? {} : { properties: r.properties }),
          ...(r.suppression === undefined
            ? {}
            : { suppressions: [{ kind: "inSource", status: "accepted", justification: r.suppression.justification }] }),
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
