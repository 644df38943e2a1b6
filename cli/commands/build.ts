import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson } from "../../core/canonical-json.js";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.js";
import { build } from "../../compiler/build/index.js";
import { compile } from "../../compiler/pipeline.js";
import { EXIT, type Io } from "../io.js";
import { requireOpa } from "../opa.js";
import { renderDiagnostics, type DiagnosticFormat } from "./check.js";

/** Options of `gatehouse build`. */
export interface BuildOptions {
  readonly out: string;
  readonly dumpIr: boolean;
  readonly format: DiagnosticFormat;
}

/**
 * `gatehouse build DIR -o OUT`: compiles the policy set and writes OUT/bundle.tar.gz. Nothing
 * is written when the policy set has errors.
 */
export async function runBuild(dir: string, options: BuildOptions, io: Io): Promise<number> {
  const compilation = await compile(dir, { until: "emit" });
  if (compilation.diagnostics.length > 0)
    io.stderr(renderDiagnostics(options.format, compilation.diagnostics, compilation.sources, io));
  if (hasErrors(compilation.diagnostics) || !compilation.emitted) return EXIT.policy;
  // Only a policy set without errors needs opa, so a broken one never triggers a toolchain build.
  const built = await build(compilation.emitted, requireOpa(io));
  if (built.diagnostics.length > 0)
    io.stderr(renderDiagnostics(options.format, built.diagnostics, compilation.sources, io));
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
  io.stderr(
    `gatehouse: wrote ${bundlePath} (revision ${built.value.revision}, ${built.value.bundle.byteLength} bytes, opa ${built.value.opaVersion})\n`,
  );
  return EXIT.ok;
}
