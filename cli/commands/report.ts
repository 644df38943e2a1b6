import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { build } from "../../compiler/build/index.js";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.js";
import { compile } from "../../compiler/pipeline.js";
import { isCalendarDate } from "../../compiler/validate/build-model.js";
import { gatehouseVersion } from "../../core/package-root.js";
import { buildReport } from "../../report/index.js";
import { CliError, EXIT, type Io } from "../io.js";
import { requireOpa } from "../opa.js";
import { renderDiagnostics } from "./check.js";
import { localToday } from "./review.js";
import { classify } from "../../impact/classify.js";
import { diffVersions } from "../../impact/decide.js";
import { loadVersion } from "../../impact/load-version.js";
import { summarize } from "../../impact/summary.js";
import type { PolicyVersion } from "../../impact/version.js";
import type { ReportDiff } from "../../report/index.js";
import { Authorizer } from "../../wasm/authorizer.js";

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The semantic diff from the base directory to the head; undefined (errors printed) when the base has errors. */
async function baseDiff(
  baseDir: string,
  head: { readonly dir: string; readonly version: PolicyVersion },
  io: Io,
): Promise<ReportDiff | undefined> {
  const base = await loadVersion(baseDir, requireOpa(io));
  const errors = base.compilation.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !base.version) {
    io.stderr(`gatehouse: the base \`${baseDir}\` has errors:\n`);
    io.stderr(renderDiagnostics("text", errors, base.compilation.sources, io));
    return undefined;
  }
  const result = diffVersions(base.version, head.version, {});
  const impact = classify(result);
  return { summary: summarize(result, impact, { base: baseDir, head: head.dir }), impact };
}

/** Options of `gatehouse report`. */
export interface ReportCommandOptions {
  readonly out: string;
  /** `YYYY-MM-DD`; defaults to the local date. */
  readonly today?: string;
  /** A base policy directory: the report then has a view of what changes from it. */
  readonly base?: string;
}

/**
 * `gatehouse report DIR -o SITE`: compiles the policy set, builds its bundle and writes the
 * access report (a static site that opens from `file://`) to SITE. Nothing is written when the
 * policy set has errors.
 */
export async function runReport(dir: string, options: ReportCommandOptions, io: Io): Promise<number> {
  if (options.base !== undefined && !isDirectory(options.base))
    throw new CliError(`\`${options.base}\` is not a directory`, EXIT.usage, "give --base the base policy directory");
  const today = options.today ?? localToday();
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(today) || !isCalendarDate(today))
    throw new CliError(`\`${today}\` is not a date`, EXIT.usage, "write --today as YYYY-MM-DD");
  const compilation = await compile(dir, { until: "emit" });
  if (compilation.diagnostics.length > 0)
    io.stderr(renderDiagnostics("text", compilation.diagnostics, compilation.sources, io));
  if (hasErrors(compilation.diagnostics) || !compilation.emitted || !compilation.policy || !compilation.sources)
    return EXIT.policy;
  const built = await build(compilation.emitted, requireOpa(io), {});
  if (built.diagnostics.length > 0) io.stderr(renderDiagnostics("text", built.diagnostics, compilation.sources, io));
  if (!built.value) return EXIT.policy;
  let diff: ReportDiff | undefined;
  if (options.base !== undefined) {
    const head = {
      ir: compilation.ir!,
      policy: compilation.policy,
      decider: await Authorizer.load(built.value.bundle),
    };
    diff = await baseDiff(options.base, { dir, version: head }, io);
    if (!diff) return EXIT.policy;
  }
  const files = await buildReport({
    policy: compilation.policy,
    bundle: built.value.bundle,
    sources: compilation.sources.files,
    today,
    version: gatehouseVersion(),
    ...(diff ? { diff } : {}),
  });
  for (const file of files) {
    const path = join(options.out, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.bytes);
  }
  io.stderr(
    `gatehouse: wrote ${join(options.out, "index.html")} (${files.length} files, revision ${built.value.revision})\n`,
  );
  return EXIT.ok;
}
