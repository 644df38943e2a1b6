import { logLines } from "../../impact/log-lines.js";
import { renderReplayJson } from "../../impact/render-json.js";
import { renderReplayMarkdown } from "../../impact/render-markdown.js";
import { renderReplayText } from "../../impact/render-text.js";
import { replay } from "../../impact/replay.js";
import { Authorizer, BundleError } from "../../wasm/index.js";
import { CliError, EXIT, type Io } from "../io.js";
import type { DIFF_FORMATS } from "./diff.js";

/** Options of `gatehouse replay`. */
export interface ReplayCommandOptions {
  readonly log: string;
  readonly bundle: string;
  readonly format: (typeof DIFF_FORMATS)[number];
}

/**
 * `gatehouse replay --log FILE --bundle NEW`: decides every logged request again with NEW and
 * reports which decisions changed. Exits 0 when the replay ran (whatever changed), 2 when the
 * log or the bundle cannot be read.
 */
export async function runReplay(options: ReplayCommandOptions, io: Io): Promise<number> {
  let authorizer: Authorizer;
  try {
    authorizer = await Authorizer.load(options.bundle);
  } catch (error) {
    if (error instanceof BundleError)
      throw new CliError(`cannot load \`${options.bundle}\`: ${error.message}`, EXIT.usage, undefined, error.code);
    throw error;
  }
  let report;
  try {
    report = await replay(logLines(options.log), authorizer, { log: options.log, bundle: options.bundle });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read the decision log \`${options.log}\`: ${code ?? (error as Error).message}`,
      EXIT.usage,
    );
  }
  switch (options.format) {
    case "json":
      io.stdout(renderReplayJson(report));
      break;
    case "markdown":
      io.stdout(renderReplayMarkdown(report));
      break;
    case "text":
      io.stdout(renderReplayText(report));
      break;
  }
  return EXIT.ok;
}
