/**
 * A small SARIF 2.1.0 writer shared by everything Gatehouse reports to code scanning
 * (`gatehouse check` diagnostics, `gatehouse review` findings). Locations are relative to the
 * repository root through the `%SRCROOT%` base, as GitHub code scanning expects.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";

/** A rule (a diagnostic code or a finding id) as SARIF describes it. */
export interface SarifRule {
  readonly id: string;
  /** A PascalCase or kebab name, e.g. `unknown-property`. */
  readonly name: string;
  readonly shortDescription: string;
  readonly fullDescription: string;
  /** Markdown help: how to fix. */
  readonly help?: string;
  /** The rule's entry in Gatehouse's documentation. */
  readonly helpUri: string;
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

/** Where Gatehouse's documentation lives: SARIF `informationUri` and the base of every `helpUri`. */
export const DOCS_URI = "https://gatehouse.dev/docs";

/** One run's context: which command produced it and the directory paths are relative to. */
export interface SarifRun {
  /** The command, e.g. `check`: the run's `automationDetails.id` is `gatehouse/<command>/`. */
  readonly command: string;
  /** The repository root (see `sarifRoot`). */
  readonly root: string;
  /** The directory relative file names in results are relative to (default: `root`). */
  readonly cwd?: string;
}

/** Something that stopped a command from running, reported as a tool execution notification. */
export interface SarifNotification {
  readonly message: string;
  readonly location?: SarifLocation;
}

/**
 * The directory SARIF paths are relative to: `override` (`--sarif-root`) when given, otherwise
 * the root of the git repository holding `target` (the nearest ancestor with a `.git`), otherwise
 * the working directory. GitHub code scanning resolves paths against the repository root, so
 * results land on the right file whatever directory the command ran in.
 */
export function sarifRoot(target: string, cwd: string, override?: string): string {
  if (override !== undefined) return resolve(cwd, override);
  for (let dir = resolve(cwd, target); ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

/**
 * The artifact location of a file: a URI relative to `root` under the `%SRCROOT%` base, with `/`
 * separators and percent-encoding; or an absolute `file:` URI for a file outside `root`, which
 * no relative reference could name without climbing out of the repository.
 */
export function artifactLocation(file: string, root: string, cwd: string = root): { uri: string; uriBaseId?: string } {
  const full = resolve(cwd, file);
  const rel = relative(root, full);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return { uri: pathToFileURL(full).href };
  return { uri: rel.split(sep).join("/").split("/").map(encodeURIComponent).join("/"), uriBaseId: "%SRCROOT%" };
}

function physicalLocation(l: SarifLocation, run: SarifRun): Record<string, unknown> {
  return {
    artifactLocation: artifactLocation(l.file, run.root, run.cwd),
    region: {
      startLine: l.line,
      startColumn: l.column,
      endLine: l.endLine,
      endColumn: Math.max(l.endColumn, l.line === l.endLine ? l.column + 1 : 1),
    },
  };
}

function driver(tool: SarifTool, rules: readonly SarifRule[]): Record<string, unknown> {
  return {
    name: tool.name,
    version: tool.version,
    semanticVersion: tool.version,
    informationUri: tool.informationUri,
    rules: rules.map((r) => ({
      id: r.id,
      name: r.name,
      shortDescription: { text: r.shortDescription },
      fullDescription: { text: r.fullDescription },
      ...(r.help === undefined ? {} : { help: { text: r.help, markdown: r.help } }),
      helpUri: r.helpUri,
      defaultConfiguration: { level: r.defaultLevel },
      ...(r.properties === undefined ? {} : { properties: r.properties }),
    })),
  };
}

function log(runs: readonly Record<string, unknown>[]): string {
  const sarif = { $schema: "https://json.schemastore.org/sarif-2.1.0.json", version: "2.1.0", runs };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function runHeader(run: SarifRun): Record<string, unknown> {
  return {
    automationDetails: { id: `gatehouse/${run.command}/` },
    originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(`${resolve(run.root)}${sep}`).href } },
    columnKind: "utf16CodeUnits",
  };
}

/**
 * Renders one SARIF 2.1.0 log with a single, successful run: one rule per entry of `rules`, one
 * result per entry of `results`, paths relative to `run.root`.
 */
export function renderSarif(
  tool: SarifTool,
  rules: readonly SarifRule[],
  results: readonly SarifResult[],
  run: SarifRun,
): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  return log([
    {
      tool: { driver: driver(tool, rules) },
      invocations: [{ executionSuccessful: true }],
      ...runHeader(run),
      results: results.map((r) => ({
        ruleId: r.ruleId,
        ...(ruleIndex.has(r.ruleId) ? { ruleIndex: ruleIndex.get(r.ruleId) } : {}),
        level: r.level,
        message: { text: r.message },
        locations: r.locations.map((l) => ({ physicalLocation: physicalLocation(l, run) })),
        ...(r.relatedLocations && r.relatedLocations.length > 0
          ? {
              relatedLocations: r.relatedLocations.map((l, id) => ({
                id,
                physicalLocation: physicalLocation(l, run),
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
  ]);
}

/**
 * A SARIF 2.1.0 log for a command that could not run: one run with no results, an invocation
 * with `executionSuccessful: false` and the reasons as error notifications, so a code-scanning
 * upload step still receives a valid log and the failure is visible there.
 */
export function renderFailedSarif(
  tool: SarifTool,
  rules: readonly SarifRule[],
  notifications: readonly SarifNotification[],
  run: SarifRun,
): string {
  return log([
    {
      tool: { driver: driver(tool, rules) },
      invocations: [
        {
          executionSuccessful: false,
          toolExecutionNotifications: notifications.map((n) => ({
            level: "error",
            message: { text: n.message },
            ...(n.location === undefined
              ? {}
              : { locations: [{ physicalLocation: physicalLocation(n.location, run) }] }),
          })),
        },
      ],
      ...runHeader(run),
      results: [],
    },
  ]);
}
