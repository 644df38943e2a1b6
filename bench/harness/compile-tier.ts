import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { build, type OpaBinary } from "../../compiler/build/index.js";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.js";
import { emit, type EmittedBundle } from "../../compiler/emit/index.js";
import { load } from "../../compiler/load/index.js";
import { lower } from "../../compiler/lower/index.js";
import { validate, type PolicySet } from "../../compiler/validate/index.js";
import { packageRoot } from "../../core/package-root.js";
import type { BenchFeed } from "./feed.js";
import { generateTier, type TierModel, type TierSpec } from "./tiers.js";

/** Milliseconds spent in each compiler stage, in pipeline order. */
export interface StageTimes {
  readonly load: number;
  readonly validate: number;
  readonly lower: number;
  readonly emit: number;
  readonly build: number;
  readonly total: number;
}

/** A generated tier compiled through the real pipeline with the real `opa`. */
export interface CompiledTier {
  readonly spec: TierSpec;
  readonly model: TierModel;
  /** The temporary directory holding the tier's YAML (removed by `dispose`). */
  readonly dir: string;
  readonly policy: PolicySet;
  readonly emitted: EmittedBundle;
  readonly bundle: Uint8Array;
  /** Bytes of YAML (and feed) the compiler read. */
  readonly sourceBytes: number;
  readonly dataJsonBytes: number;
  /** The first compile in this process: stage times. */
  readonly firstCompile: StageTimes;
  dispose(): void;
}

/** Runs the pipeline's stages in order on `dir`, timing each; throws when the tier does not compile cleanly. */
export async function compileTimed(
  dir: string,
  opa: OpaBinary,
): Promise<{ times: StageTimes; policy: PolicySet; emitted: EmittedBundle; bundle: Uint8Array }> {
  const start = performance.now();
  let t = start;
  const lap = (): number => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return ms;
  };
  const loaded = load({ dir });
  const loadMs = lap();
  if (!loaded.value || hasErrors(loaded.diagnostics))
    throw new Error(`bench: load failed: ${describe(loaded.diagnostics)}`);
  const validated = validate(loaded.value);
  const validateMs = lap();
  if (!validated.value || hasErrors(validated.diagnostics))
    throw new Error(`bench: validate failed: ${describe(validated.diagnostics)}`);
  if (validated.diagnostics.length > 0)
    throw new Error(`bench: the generated tier has warnings: ${describe(validated.diagnostics)}`);
  const ir = lower(validated.value).value!;
  const lowerMs = lap();
  const emitted = emit(ir).value!;
  const emitMs = lap();
  const built = await build(emitted, opa);
  const buildMs = lap();
  if (!built.value) throw new Error(`bench: build failed: ${describe(built.diagnostics)}`);
  return {
    times: {
      load: loadMs,
      validate: validateMs,
      lower: lowerMs,
      emit: emitMs,
      build: buildMs,
      total: performance.now() - start,
    },
    policy: validated.value,
    emitted,
    bundle: built.value.bundle,
  };
}

function describe(diagnostics: ReadonlyArray<{ code: string; message: string }>): string {
  return diagnostics
    .slice(0, 3)
    .map((d) => `${d.code} ${d.message}`)
    .join("; ");
}

/** Generates `spec`, writes its YAML to a temporary directory and compiles it once. */
export async function compileTier(spec: TierSpec, feed: BenchFeed | undefined, opa: OpaBinary): Promise<CompiledTier> {
  const generated = generateTier(spec, feed);
  const dir = mkdtempSync(join(tmpdir(), `gatehouse-bench-${spec.name}-`));
  let sourceBytes = 0;
  for (const [path, text] of generated.files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
    sourceBytes += statSync(join(dir, path)).size;
  }
  const compiled = await compileTimed(dir, opa);
  return {
    spec,
    model: generated.model,
    dir,
    policy: compiled.policy,
    emitted: compiled.emitted,
    bundle: compiled.bundle,
    sourceBytes,
    dataJsonBytes: Buffer.byteLength(compiled.emitted.files.get("data.json")!),
    firstCompile: compiled.times,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Compile time as a CI step pays it: a fresh `gatehouse build DIR -o OUT --no-types` process
 * (Node start-up, module loading, the whole pipeline, writing the bundle), wall clock.
 */
export function coldCompileMs(dir: string, opa: OpaBinary): number {
  const out = mkdtempSync(join(tmpdir(), "gatehouse-bench-out-"));
  try {
    const start = performance.now();
    const run = spawnSync(
      process.execPath,
      [join(packageRoot(), "bin", "gatehouse.js"), "build", dir, "-o", out, "--no-types"],
      { env: { ...process.env, OPA_BIN: opa.path }, encoding: "utf8" },
    );
    const ms = performance.now() - start;
    if (run.status !== 0) throw new Error(`bench: gatehouse build failed: ${run.stderr}`);
    return ms;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
