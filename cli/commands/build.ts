import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson } from "../../core/canonical-json.js";
import { hasErrors, type Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { build, bundleSigner, type BundleSigner } from "../../compiler/build/index.js";
import type { SigningAlgorithm } from "../../core/bundle-signing.js";
import type { SourceSet } from "../../compiler/load/index.js";
import { compile } from "../../compiler/pipeline.js";
import { CliError, errorExit, EXIT, type Io } from "../io.js";
import { requireOpa } from "../opa.js";
import { sarifRoot, type SarifRun } from "../format/sarif.js";
import { renderDiagnostics, type DiagnosticFormat } from "./check.js";

/** Options of `gatehouse build`. */
export interface BuildOptions {
  readonly out: string;
  readonly dumpIr: boolean;
  /** Write OUT/types.ts (commander's `--no-types` sets false). */
  readonly types: boolean;
  readonly format: DiagnosticFormat;
  readonly signingKey?: string;
  readonly signingAlg?: SigningAlgorithm;
  readonly keyId?: string;
  readonly scope?: string;
}

/** The signer the options ask for, or undefined; a bad key is a usage error (exit 2). */
function signerFor(options: BuildOptions): BundleSigner | undefined {
  if (options.signingKey === undefined) {
    const stray = [
      ["--signing-alg", options.signingAlg],
      ["--key-id", options.keyId],
      ["--scope", options.scope],
    ].find(([, value]) => value !== undefined);
    if (stray) throw new CliError(`\`${stray[0]}\` needs \`--signing-key\``);
    return undefined;
  }
  let material: Uint8Array;
  try {
    material = readFileSync(options.signingKey);
  } catch (error) {
    throw new CliError(
      `cannot read the signing key \`${options.signingKey}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const result = bundleSigner(material, {
    ...(options.signingAlg === undefined ? {} : { algorithm: options.signingAlg }),
    ...(options.keyId === undefined ? {} : { keyId: options.keyId }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  });
  if (!result.ok)
    throw new CliError(`cannot sign with \`${options.signingKey}\`: ${result.message}`, EXIT.usage, result.hint);
  return result.signer;
}

/** The diagnostic formats that are one machine-read document: printed whole on stdout. */
const DOCUMENT_FORMATS: ReadonlySet<DiagnosticFormat> = new Set(["json", "sarif"]);

/**
 * Where build's diagnostics go: a human format (text, GitHub annotations) on stderr as each
 * stage reports them; a document format (json, sarif) as one document of them all on stdout,
 * printed by `finish` even when there are none, since the build's own output is files.
 */
function diagnosticsPrinter(
  format: DiagnosticFormat,
  io: Io,
  sarif: SarifRun,
): { add(diagnostics: readonly Diagnostic[], sources: SourceSet | undefined): void; finish(): void } {
  const all: Diagnostic[] = [];
  let seen: SourceSet | undefined;
  return {
    add(diagnostics, sources) {
      seen = sources;
      all.push(...diagnostics);
      if (!DOCUMENT_FORMATS.has(format) && diagnostics.length > 0)
        io.stderr(renderDiagnostics(format, diagnostics, sources, io, sarif));
    },
    finish() {
      if (DOCUMENT_FORMATS.has(format)) io.stdout(renderDiagnostics(format, all, seen, io, sarif));
    },
  };
}

/**
 * `gatehouse build DIR -o OUT`: compiles the policy set and writes OUT/bundle.tar.gz, signed
 * when a signing key is given, and OUT/types.ts. Nothing is written when the policy set has
 * errors.
 */
export async function runBuild(dir: string, options: BuildOptions, io: Io): Promise<number> {
  const signer = signerFor(options);
  const cwd = io.cwd ?? process.cwd();
  const printer = diagnosticsPrinter(options.format, io, { command: "build", root: sarifRoot(dir, cwd), cwd });
  const compilation = await compile(dir, { until: "typegen", types: options.types });
  printer.add(compilation.diagnostics, compilation.sources);
  if (hasErrors(compilation.diagnostics) || !compilation.emitted) {
    printer.finish();
    return errorExit(compilation.diagnostics);
  }
  // Only a policy set without errors needs opa, so a broken one never triggers a toolchain build.
  const built = await build(compilation.emitted, requireOpa(io), signer ? { signer } : {});
  printer.add(built.diagnostics, compilation.sources);
  printer.finish();
  if (!built.value) return EXIT.policy;
  mkdirSync(options.out, { recursive: true });
  const bundlePath = join(options.out, "bundle.tar.gz");
  writeFileSync(bundlePath, built.value.bundle);
  if (options.dumpIr && compilation.ir)
    writeFileSync(join(options.out, "ir.json"), `${canonicalJson(compilation.ir)}\n`);
  for (const use of compilation.policy?.feeds ?? []) {
    io.stderr(
      `gatehouse: feed ${use.file.relPath} (sha256 ${use.file.sha256}): ${use.kept} prefix${use.kept === 1 ? "" : "es"} for network \`${use.network}\`\n`,
    );
  }
  const typesPath = compilation.types ? join(options.out, compilation.types.file) : undefined;
  if (typesPath && compilation.types) writeFileSync(typesPath, compilation.types.text);
  const signature = built.value.signature;
  io.stderr(
    `gatehouse: wrote ${bundlePath} (revision ${built.value.revision}, ${built.value.bundle.byteLength} bytes, opa ${built.value.opaVersion}${signature ? `, signed ${signature.algorithm} by key \`${signature.keyId}\`` : ""})\n`,
  );
  if (typesPath) io.stderr(`gatehouse: wrote ${typesPath}\n`);
  return EXIT.ok;
}
