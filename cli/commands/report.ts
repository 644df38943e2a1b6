import { mkdirSync, writeFileSync } from "node:fs";
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

/** Options of `gatehouse report`. */
export interface ReportCommandOptions {
  readonly out: string;
  /** `YYYY-MM-DD`; defaults to the local date. */
  readonly today?: string;
  /** A base policy directory for a diff view; not available in this version. */
  readonly base?: string;
}

/**
 * `gatehouse report DIR -o SITE`: compiles the policy set, builds its bundle and writes the
 * access report (a static site that opens from `file://`) to SITE. Nothing is written when the
 * policy set has errors.
 */
export async function runReport(dir: string, options: ReportCommandOptions, io: Io): Promise<number> {
  if (options.base !== undefined)
    throw new CliError(
      "`--base` is not available: the diff view needs the semantic diff, which this version does not have",
      EXIT.usage,
      "run `gatehouse report` without `--base`",
    );
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
  const files = await buildReport({
    policy: compilation.policy,
    bundle: built.value.bundle,
    sources: compilation.sources.files,
    today,
    version: gatehouseVersion(),
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
