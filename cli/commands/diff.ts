import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { classify } from "../../impact/classify.js";
import { diffVersions } from "../../impact/decide.js";
import { GitSourceError, readRevision, type RevisionTree } from "../../impact/git-source.js";
import { loadVersion, type LoadedVersion } from "../../impact/load-version.js";
import { renderDiffJson } from "../../impact/render-json.js";
import { renderDiffMarkdown } from "../../impact/render-markdown.js";
import { renderDiffText } from "../../impact/render-text.js";
import { summarize } from "../../impact/summary.js";
import { CliError, EXIT, type Io } from "../io.js";
import { requireOpa } from "../opa.js";
import { renderDiagnostics } from "./check.js";

/** The diff output formats. */
export const DIFF_FORMATS = ["text", "json", "markdown"] as const;

/** Options of `gatehouse diff`. */
export interface DiffCommandOptions {
  readonly format: (typeof DIFF_FORMATS)[number];
  /** A git revision to read the base from (the head is then the working tree of the one directory). */
  readonly base?: string;
  /** `widen`: exit 1 when any access is gained. */
  readonly failOn?: string;
  /** Most request classes decided. */
  readonly maxClasses?: number;
}

/** Prints a version's diagnostics, each path prefixed when the files were read from git. */
function report(label: string, loaded: LoadedVersion, tree: RevisionTree | undefined, io: Io): void {
  const diagnostics: Diagnostic[] = loaded.compilation.diagnostics.map((d) =>
    tree && d.file.startsWith(tree.dir) ? { ...d, file: `${label}:${d.file.slice(tree.dir.length + 1)}` } : d,
  );
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) return;
  io.stderr(`gatehouse: ${label} has errors:\n`);
  io.stderr(renderDiagnostics("text", errors, tree ? undefined : loaded.compilation.sources, io));
}

/**
 * `gatehouse diff BASE HEAD` or `gatehouse diff --base REV [DIR]`: decides, in both versions,
 * every request class that can differ and reports the access gained and lost. Exits 1 when a
 * version has errors, or with `--fail-on widen` when access is gained; 2 on usage errors.
 */
export async function runDiff(dirs: readonly string[], options: DiffCommandOptions, io: Io): Promise<number> {
  if (options.failOn !== undefined && options.failOn !== "widen")
    throw new CliError(`unknown --fail-on value \`${options.failOn}\``, EXIT.usage, "the only value is `widen`");
  if (options.base === undefined && dirs.length !== 2)
    throw new CliError(
      "diff needs two policy directories, or --base REV and at most one",
      EXIT.usage,
      "gatehouse diff BASE_DIR HEAD_DIR | gatehouse diff --base origin/main [DIR]",
    );
  if (options.base !== undefined && dirs.length > 1)
    throw new CliError("with --base, give at most one directory (the head)", EXIT.usage);
  const headDir = options.base === undefined ? dirs[1]! : (dirs[0] ?? ".");
  let tree: RevisionTree | undefined;
  if (options.base !== undefined) {
    try {
      tree = readRevision(headDir, options.base);
    } catch (error) {
      if (error instanceof GitSourceError)
        throw new CliError(`cannot read \`${options.base}\` from git in \`${headDir}\`: ${error.message}`, EXIT.usage);
      throw error;
    }
  }
  try {
    const opa = requireOpa(io);
    const baseLabel = options.base ?? dirs[0]!;
    const headLabel = options.base === undefined ? headDir : `${headDir} (working tree)`;
    const [base, head] = await Promise.all([loadVersion(tree?.dir ?? dirs[0]!, opa), loadVersion(headDir, opa)]);
    report(baseLabel, base, tree, io);
    report(headLabel, head, undefined, io);
    if (!base.version || !head.version) return EXIT.policy;
    const result = diffVersions(
      base.version,
      head.version,
      options.maxClasses === undefined ? {} : { limit: options.maxClasses },
    );
    const impact = classify(result);
    const summary = summarize(result, impact, { base: baseLabel, head: headLabel });
    switch (options.format) {
      case "json":
        io.stdout(renderDiffJson(summary, impact));
        break;
      case "markdown":
        io.stdout(renderDiffMarkdown(summary, impact));
        break;
      case "text":
        io.stdout(renderDiffText(summary, impact));
        break;
    }
    if (options.failOn === "widen" && impact.counts.gained > 0) return EXIT.policy;
    return EXIT.ok;
  } finally {
    tree?.remove();
  }
}
