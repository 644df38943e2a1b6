import { statSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { gatehouseVersion } from "../core/package-root.js";
import { SIGNING_ALGORITHMS } from "../core/bundle-signing.js";
import { SEVERITIES, type FindingSeverity } from "../compiler/review/finding.js";
import type { DiagnosticFormat } from "./commands/check.js";
import type { BuildOptions } from "./commands/build.js";
import type { EvalOptions } from "./commands/eval.js";
import type { ReviewFormat } from "./commands/review.js";
import type { ServeOptions } from "./commands/serve.js";
import type { ReportCommandOptions } from "./commands/report.js";
import { CliError, EXIT, processIo, type Io } from "./io.js";
import type { DiffCommandOptions } from "./commands/diff.js";
import type { ReplayCommandOptions } from "./commands/replay.js";

// Each command's module (and the compiler behind it) is imported when that command runs, so that
// `--version`, `--help` and `check` start fast; the choices below are spelled out here for the
// same reason, and a test keeps them equal to the commands' own lists.
/** The diagnostic formats of check and build (`DIAGNOSTIC_FORMATS` of commands/check.ts). */
export const DIAGNOSTIC_FORMAT_CHOICES = ["text", "json", "sarif", "github"] as const satisfies DiagnosticFormat[];
/** The formats of review (`REVIEW_FORMATS` of commands/review.ts). */
export const REVIEW_FORMAT_CHOICES = [
  "text",
  "json",
  "sarif",
  "markdown",
  "github",
  "junit",
] as const satisfies ReviewFormat[];
/** The formats of diff and replay (`DIFF_FORMATS` of commands/diff.ts). */
export const DIFF_FORMAT_CHOICES = ["text", "json", "markdown"] as const satisfies DiffCommandOptions["format"][];

/** An output directory: created when missing, refused (exit 2) when something else is there. */
function outputDirectory(value: string): string {
  let exists = false;
  try {
    exists = !statSync(value).isDirectory();
  } catch {
    // Missing: the command creates it.
  }
  if (exists) throw new InvalidArgumentError(`\`${value}\` exists and is not a directory`);
  return value;
}

/** Builds the `gatehouse` command line; every action records its exit code in `result`. */
function program(io: Io, result: { code: number }): Command {
  const root = new Command("gatehouse")
    .description("Compile API access declarations to an OPA bundle and decide requests with it.")
    .version(gatehouseVersion(), "-V, --version")
    .option("--no-color", "never colour the output (FORCE_COLOR=1 forces it, NO_COLOR=1 turns it off)")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const formatOption = () =>
    new Option("--format <format>", "how to print diagnostics").choices([...DIAGNOSTIC_FORMAT_CHOICES]).default("text");

  root
    .command("check")
    .description("Validate a policy directory and report every problem at once.")
    .argument("<dir>", "directory of *.yaml / *.yml declarations (any depth)")
    .addOption(formatOption())
    .option("--fail-on-warnings", "exit 1 when there are warnings, not only errors", false)
    .option("--sarif-root <dir>", "make SARIF paths relative to DIR (default: the git repository holding the policy)")
    .action(async (dir: string, opts: { format: DiagnosticFormat; failOnWarnings: boolean; sarifRoot?: string }) => {
      const { runCheck } = await import("./commands/check.js");
      result.code = await runCheck(dir, opts, io);
    });

  root
    .command("init")
    .description("Write a starter policy set to DIR/policies and editor settings that validate every document.")
    .argument("[dir]", "the policy repository (default: the current directory)", ".")
    .action(async (dir: string) => {
      const { runInit } = await import("./commands/init.js");
      result.code = runInit(dir, io);
    });

  root
    .command("build")
    .description("Compile a policy directory to OUT/bundle.tar.gz (OPA bundle with WebAssembly).")
    .argument("<dir>", "directory of *.yaml / *.yml declarations (any depth)")
    .requiredOption("-o, --out <dir>", "output directory", outputDirectory)
    .option("--dump-ir", "also write the compiled IR as OUT/ir.json", false)
    .option("--no-types", "do not write OUT/types.ts (request and decision types, typed wrapper)")
    .addOption(formatOption())
    // Signing (OPA's bundle signature format).
    .option("--signing-key <file>", "sign the bundle: a PEM private key, or the HMAC secret for HS*")
    .addOption(
      new Option("--signing-alg <alg>", "JWS algorithm of the signature; RS256 when not given").choices([
        ...SIGNING_ALGORITHMS,
      ]),
    )
    .option("--key-id <id>", "key id written into the signature (default `default`, as opa build)")
    .option("--scope <scope>", "scope claim of the signature")
    .action(async (dir: string, opts: BuildOptions) => {
      const { runBuild } = await import("./commands/build.js");
      result.code = await runBuild(dir, opts, io);
    });

  root
    .command("eval")
    .description("Decide requests with a built bundle; prints one decision JSON per request, in order.")
    .requiredOption("--bundle <file>", "bundle.tar.gz written by `gatehouse build`")
    .option("--input <file>", "one request as JSON (exit 1 when it is denied)")
    .option("--inputs <file>", "requests as JSON Lines, one per line")
    .option("--expect <file>", "expected decisions as JSON Lines; exit 1 on any difference")
    .addOption(new Option("--format <format>", "output format").choices(["json", "pretty"]).default("json"))
    // Signature verification (OPA's bundle signature format).
    .option("--verification-key <file>", "verify the bundle's signature: a PEM public key, or the HMAC secret for HS*")
    .addOption(
      new Option("--verification-alg <alg>", "the one JWS algorithm accepted; RS256 when not given").choices([
        ...SIGNING_ALGORITHMS,
      ]),
    )
    .option("--key-id <id>", "refuse a signature that names another key id")
    .option("--scope <scope>", "the scope the signature must carry")
    .action(async (opts: EvalOptions) => {
      const { runEval } = await import("./commands/eval.js");
      result.code = await runEval(opts, io);
    });

  root
    .command("test")
    .description("Run the policy set's Test cases and generated boundary cases against the compiled WebAssembly.")
    .argument("<dir>", "directory of *.yaml / *.yml declarations (any depth)")
    .addOption(new Option("--format <format>", "report format").choices(["text", "json", "junit"]).default("text"))
    .option("--no-boundary", "skip the generated boundary cases")
    .addOption(
      new Option("--boundary-limit <n>", "most merged ranges probed per address list").default(256).argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
        return n;
      }),
    )
    .action(
      async (dir: string, opts: { format: "text" | "json" | "junit"; boundary: boolean; boundaryLimit: number }) => {
        const { runTestCommand } = await import("./commands/test.js");
        result.code = await runTestCommand(dir, opts, io);
      },
    );

  root
    .command("review")
    .description("Report the security findings of a policy directory, with a 0–100 score (docs/review.md).")
    .argument("<dir>", "directory of *.yaml / *.yml declarations (any depth)")
    .addOption(new Option("--format <format>", "output format").choices([...REVIEW_FORMAT_CHOICES]).default("text"))
    .addOption(
      new Option("--fail-on <severity>", "exit 1 when an unacknowledged finding is at least this serious").choices([
        ...SEVERITIES,
      ]),
    )
    .option("--today <date>", "judge acknowledgement expiry as of this date, YYYY-MM-DD (default: today)")
    .option("--sarif-root <dir>", "make SARIF paths relative to DIR (default: the git repository holding the policy)")
    .action(
      async (
        dir: string,
        opts: { format: ReviewFormat; failOn?: FindingSeverity; today?: string; sarifRoot?: string },
      ) => {
        const { runReview } = await import("./commands/review.js");
        result.code = await runReview(dir, opts, io);
      },
    );

  root
    .command("report")
    .description(
      "Write the access report of a policy directory: a static site that opens from file:// (docs/report.md).",
    )
    .argument("<dir>", "directory of *.yaml / *.yml declarations (any depth)")
    .requiredOption("-o, --out <dir>", "output directory for the site")
    .option("--today <date>", "judge acknowledgement expiry as of this date, YYYY-MM-DD (default: today)")
    .option("--base <dir>", "compare with a base policy directory (not available in this version)")
    .action(async (dir: string, opts: ReportCommandOptions) => {
      const { runReport } = await import("./commands/report.js");
      result.code = await runReport(dir, opts, io);
    });

  root
    .command("import")
    .description("Write Gatehouse YAML from another format.")
    .command("sfdx")
    .description(
      "Read an SFDX source tree (connected apps, External Client Apps, profiles, permission sets, Security and ConnectedApp settings) and write Gatehouse YAML to OUT, with a report of what was mapped and ignored.",
    )
    .argument("<dir>", "the SFDX project (or any directory holding force-app metadata)")
    .requiredOption("-o, --out <dir>", "output directory for the YAML files", outputDirectory)
    .option(
      "--org-name <name>",
      "name of the Org declaration (default: sfdx-project.json's name, else the directory's)",
    )
    .addOption(new Option("--format <format>", "report format").choices(["text", "json"]).default("text"))
    .action(async (dir: string, opts: { out: string; orgName?: string; format: "text" | "json" }) => {
      const { runImportSfdx } = await import("./commands/sfdx.js");
      result.code = runImportSfdx(dir, opts, io);
    });

  root
    .command("export")
    .description("Write a policy set in another format.")
    .command("sfdx")
    .description(
      "Write the Salesforce metadata Gatehouse owns for a policy directory as an SFDX source tree in OUT, ready for `sf project deploy start`.",
    )
    .argument("<dir>", "directory of *.yaml / *.yml declarations (any depth)")
    .option("-o, --out <dir>", "output directory (an SFDX project)", outputDirectory)
    .option(
      "--into <dir>",
      "merge into an existing retrieved SFDX tree instead, changing only the elements Gatehouse owns",
    )
    .action(async (dir: string, opts: { out?: string; into?: string }) => {
      const { runExportSfdx } = await import("./commands/sfdx.js");
      result.code = await runExportSfdx(dir, opts, io);
    });

  root
    .command("serve")
    .description(
      "Answer OPA's REST API (POST /v1/data/gatehouse/decision) with a bundle, reloading it when it changes.",
    )
    .requiredOption("--bundle <file|url>", "bundle.tar.gz path (watched) or http(s) URL (polled with ETags)")
    .option("--addr <host>", "address to listen on (loopback unless you say otherwise)", "127.0.0.1")
    .option("--port <n>", "port to listen on (0: any free port)", integer(0, 65535), 8181)
    .option("--no-watch", "serve the first bundle only; do not watch or poll for new ones")
    .option("--poll-min <seconds>", "shortest wait between polls of a bundle URL", integer(1, 86400), 60)
    .option("--poll-max <seconds>", "longest wait between polls of a bundle URL", integer(1, 86400), 120)
    .option("--max-body-bytes <n>", "largest request body; larger ones are answered 413", integer(2, 2 ** 30), 1048576)
    .option(
      "--max-request-bytes <n>",
      "largest input; larger ones are denied with INPUT_INVALID",
      integer(2, 2 ** 30),
      65536,
    )
    .option("--decision-log <file>", "append decisions to FILE as JSON Lines, in OPA's decision-log shape")
    .option(
      "--decision-log-mask <path>",
      "remove a field from logged events, as OPA's mask does (e.g. /input/user/id); repeatable",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("--decision-log-sample <rate>", "fraction of decisions to log, 0 to 1", fraction, 1)
    .option(
      "--load-timeout <seconds>",
      "refuse a bundle whose policy takes longer to load (tried in a worker thread first)",
      integer(1, 3600),
      10,
    )
    // Signature verification, as for eval: checked at start and on every reload.
    .option(
      "--verification-key <file>",
      "verify every bundle's signature: a PEM public key, or the HMAC secret for HS*",
    )
    .addOption(
      new Option("--verification-alg <alg>", "the one JWS algorithm accepted; RS256 when not given").choices([
        ...SIGNING_ALGORITHMS,
      ]),
    )
    .option("--key-id <id>", "refuse a signature that names another key id")
    .option("--scope <scope>", "the scope the signature must carry")
    .action(async (opts: ServeOptions) => {
      const { runServe } = await import("./commands/serve.js");
      result.code = await runServe(opts, io);
    });

  // Impact analysis (docs/impact.md).
  root
    .command("diff")
    .description(
      "Report the access gained and lost between two versions of a policy set: BASE_DIR HEAD_DIR, or --base REV [DIR].",
    )
    .argument("[dirs...]", "BASE_DIR HEAD_DIR, or with --base the head directory (default `.`)")
    .option("--base <rev>", "read the base from this git revision of DIR (no checkout)")
    .addOption(new Option("--format <format>", "output format").choices([...DIFF_FORMAT_CHOICES]).default("text"))
    .addOption(new Option("--fail-on <what>", "exit 1 when any access is gained").choices(["widen"]))
    .option("--max-classes <n>", "most request classes to decide (default 5000000)", integer(1, 2 ** 31))
    .action(async (dirs: string[], opts: DiffCommandOptions) => {
      const { runDiff } = await import("./commands/diff.js");
      result.code = await runDiff(dirs, opts, io);
    });

  root
    .command("replay")
    .description("Decide the requests of a decision log again with a new bundle and report what changed.")
    .requiredOption("--log <file>", "decision log in OPA's event shape (JSON Lines, gzip accepted)")
    .requiredOption("--bundle <file>", "the new bundle.tar.gz")
    .addOption(new Option("--format <format>", "output format").choices([...DIFF_FORMAT_CHOICES]).default("text"))
    .action(async (opts: ReplayCommandOptions) => {
      const { runReplay } = await import("./commands/replay.js");
      result.code = await runReplay(opts, io);
    });

  root
    .command("version")
    .description("Print the versions of Gatehouse, its runtime, the pinned opa and Node.js.")
    .action(async () => {
      const { runVersion } = await import("./commands/version.js");
      result.code = runVersion(io);
    });

  return root;
}

/** A commander parser for an integer option within [min, max]. */
function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

/** A commander parser for a fraction in [0, 1]. */
function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !(n >= 0 && n <= 1)) throw new InvalidArgumentError("expected a number from 0 to 1");
  return n;
}

/** Runs the CLI with `args` (without `node` and the script) and returns the exit code. */
export async function main(args: readonly string[], io: Io = processIo()): Promise<number> {
  const result = { code: EXIT.ok as number };
  // Read before parsing, so that every command (and any error printed) sees it.
  const options = args.indexOf("--") === -1 ? args : args.slice(0, args.indexOf("--"));
  if (options.includes("--no-color")) io = { ...io, color: false };
  try {
    await program(io, result).parseAsync([...args], { from: "user" });
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; every other parse problem is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      const code = error.code === undefined ? "" : ` ${error.code}`;
      io.stderr(`gatehouse: error${code}: ${error.message}\n${error.hint ? `  help: ${error.hint}\n` : ""}`);
      return error.exitCode;
    }
    io.stderr(
      `gatehouse: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.usage;
  }
}
