import { hasErrors } from "../../compiler/diagnostics/diagnostic.js";
import { compile } from "../../compiler/pipeline.js";
import { openAtLeast, review, SEVERITIES, type FindingSeverity } from "../../compiler/review/index.js";
import { isCalendarDate } from "../../compiler/validate/build-model.js";
import { gatehouseVersion } from "../../core/package-root.js";
import { renderReviewGithub } from "../format/review-github.js";
import { renderReviewJson } from "../format/review-json.js";
import { renderReviewJunit } from "../format/review-junit.js";
import { renderReviewMarkdown } from "../format/review-markdown.js";
import { renderFailedReviewSarif, renderReviewSarif } from "../format/review-sarif.js";
import { sarifRoot, type SarifNotification, type SarifRun } from "../format/sarif.js";
import { renderReviewText } from "../format/review-text.js";
import { CliError, errorExit, EXIT, useColor, type Io } from "../io.js";
import { diagnosticNotifications, renderDiagnostics, sarifOnFailure } from "./check.js";

/** The review output formats. */
export const REVIEW_FORMATS = ["text", "json", "sarif", "markdown", "github", "junit"] as const;
/** A review output format. */
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

/** Options of `gatehouse review`. */
export interface ReviewCommandOptions {
  readonly format: ReviewFormat;
  /** Exit 1 when an open finding is at least this serious; undefined never fails on findings. */
  readonly failOn?: FindingSeverity;
  /** `YYYY-MM-DD`; defaults to the local date. */
  readonly today?: string;
  /** The directory SARIF paths are relative to (default: the repository holding DIR). */
  readonly sarifRoot?: string;
}

/** Today's local date as `YYYY-MM-DD`. */
export function localToday(now: Date = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * `gatehouse review DIR`: prints the security findings of a policy set with their score. Exits 1
 * when the policy set has errors or, with `--fail-on`, when an open finding is that serious.
 */
export async function runReview(dir: string, options: ReviewCommandOptions, io: Io): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const run: SarifRun = { command: "review", root: sarifRoot(dir, cwd, options.sarifRoot), cwd };
  const failed = (notes: SarifNotification[]): string => renderFailedReviewSarif(notes, gatehouseVersion(), run);
  return sarifOnFailure(options.format === "sarif", io, failed, () => reviewOrFail(dir, options, io, run));
}

async function reviewOrFail(dir: string, options: ReviewCommandOptions, io: Io, run: SarifRun): Promise<number> {
  if (options.failOn !== undefined && !(SEVERITIES as readonly string[]).includes(options.failOn))
    throw new CliError(`unknown severity \`${options.failOn}\``, EXIT.usage, `use one of ${SEVERITIES.join(", ")}`);
  const today = options.today ?? localToday();
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(today) || !isCalendarDate(today))
    throw new CliError(`\`${today}\` is not a date`, EXIT.usage, "write --today as YYYY-MM-DD");
  const compilation = await compile(dir, { until: "validate" });
  if (hasErrors(compilation.diagnostics) || !compilation.policy) {
    io.stderr(renderDiagnostics("text", compilation.diagnostics, compilation.sources, io));
    // The review cannot run on a policy set with errors; code scanning still gets a valid log.
    if (options.format === "sarif")
      io.stdout(renderFailedReviewSarif(diagnosticNotifications(compilation.diagnostics), gatehouseVersion(), run));
    return errorExit(compilation.diagnostics);
  }
  const result = review(compilation.policy, { today });
  const version = gatehouseVersion();
  switch (options.format) {
    case "json":
      io.stdout(renderReviewJson(result, version));
      break;
    case "sarif":
      io.stdout(renderReviewSarif(result, version, run));
      break;
    case "markdown":
      io.stdout(renderReviewMarkdown(result));
      break;
    case "github":
      io.stdout(renderReviewGithub(result));
      break;
    case "junit":
      io.stdout(renderReviewJunit(result));
      break;
    case "text":
      io.stdout(renderReviewText(result, dir, useColor(io)));
      break;
  }
  if (options.failOn !== undefined && openAtLeast(result.findings, options.failOn).length > 0) return EXIT.policy;
  return EXIT.ok;
}
