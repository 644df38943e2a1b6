import { Command, CommanderError, Option } from "commander";
import { gatehouseVersion } from "../core/package-root.js";
import { DIAGNOSTIC_FORMATS, runCheck, type DiagnosticFormat } from "./commands/check.js";
import { SIGNING_ALGORITHMS } from "../core/bundle-signing.js";
import { runBuild, type BuildOptions } from "./commands/build.js";
import { runEval, type EvalOptions } from "./commands/eval.js";
import { CliError, EXIT, processIo, type Io } from "./io.js";

/** Builds the `gatehouse` command line; every action records its exit code in `result`. */
function program(io: Io, result: { code: number }): Command {
  const root = new Command("gatehouse")
    .description("Compile API access declarations to an OPA bundle and decide requests with it.")
    .version(gatehouseVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const formatOption = () =>
    new Option("--format <format>", "how to print diagnostics").choices([...DIAGNOSTIC_FORMATS]).default("text");

  root
    .command("check")
    .description("Validate a policy directory and report every problem at once.")
    .argument("<dir>", "directory of *.yaml / *.yml declarations (any depth)")
    .addOption(formatOption())
    .option("--fail-on-warnings", "exit 1 when there are warnings, not only errors", false)
    .action(async (dir: string, opts: { format: DiagnosticFormat; failOnWarnings: boolean }) => {
      result.code = await runCheck(dir, opts, io);
    });

  root
    .command("build")
    .description("Compile a policy directory to OUT/bundle.tar.gz (OPA bundle with WebAssembly).")
    .argument("<dir>", "directory of *.yaml / *.yml declarations (any depth)")
    .requiredOption("-o, --out <dir>", "output directory")
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
      result.code = await runEval(opts, io);
    });

  return root;
}

/** Runs the CLI with `args` (without `node` and the script) and returns the exit code. */
export async function main(args: readonly string[], io: Io = processIo()): Promise<number> {
  const result = { code: EXIT.ok as number };
  try {
    await program(io, result).parseAsync([...args], { from: "user" });
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; every other parse problem is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      io.stderr(`gatehouse: error: ${error.message}\n${error.hint ? `  help: ${error.hint}\n` : ""}`);
      return error.exitCode;
    }
    io.stderr(
      `gatehouse: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.usage;
  }
}
