/**
 * The compiler, stage by stage. Each stage is a function from one typed value to the next;
 * diagnostics flow alongside and a stage runs only when the previous one produced a value.
 *
 *   YAML files ─load─▶ SourceSet ─validate─▶ PolicySet ─lower─▶ IR ─emit─▶ Rego + data.json ─build─▶ bundle.tar.gz
 *                                                                   └───────typegen──▶ types.ts
 */
import { build, type BuiltBundle, type BundleSigner, type OpaBinary } from "./build/index.js";
import type { Diagnostic } from "./diagnostics/diagnostic.js";
import { sortDiagnostics } from "./diagnostics/diagnostic.js";
import { emit, type EmittedBundle } from "./emit/index.js";
import { load, type SourceSet } from "./load/index.js";
import { lower, type Ir } from "./lower/index.js";
import { typegen, type GeneratedTypes } from "./typegen/index.js";
import { validate, type PolicySet } from "./validate/index.js";

/** The stages, in order. */
export const STAGES = ["load", "validate", "lower", "emit", "typegen", "build"] as const;

/** What compiling produced: the value of every stage that ran, and everything reported. */
export interface Compilation {
  readonly sources?: SourceSet;
  readonly policy?: PolicySet;
  readonly ir?: Ir;
  readonly emitted?: EmittedBundle;
  readonly types?: GeneratedTypes;
  readonly built?: BuiltBundle;
  readonly diagnostics: readonly Diagnostic[];
}

/** Options of `compile`. */
export interface CompileOptions {
  /** Stop after this stage (default: `emit` without `opa`, `build` with it). */
  readonly until?: (typeof STAGES)[number];
  /** The `opa` binary for the build stage. */
  readonly opa?: OpaBinary;
  /** Gatehouse's version for generated headers (defaults to the package's). */
  readonly version?: string;
  /** Sign the bundle with this key (build stage). */
  readonly signer?: BundleSigner;
  /** Generate types.ts (typegen stage). Off by default: it loads the TypeScript compiler. */
  readonly types?: boolean;
}

/** Compiles the policy directory `dir`, stage by stage, as far as the input allows. */
export async function compile(dir: string, options: CompileOptions = {}): Promise<Compilation> {
  const until = options.until ?? (options.opa ? "build" : "emit");
  const stop = (stage: (typeof STAGES)[number]): boolean => STAGES.indexOf(stage) > STAGES.indexOf(until);
  const diagnostics: Diagnostic[] = [];
  const done = (result: Omit<Compilation, "diagnostics">): Compilation => ({
    ...result,
    diagnostics: sortDiagnostics(diagnostics),
  });

  const loaded = load({ dir });
  diagnostics.push(...loaded.diagnostics);
  const sources = loaded.value;
  if (!sources || stop("validate")) return done(sources ? { sources } : {});

  const validated = validate(sources);
  diagnostics.push(...validated.diagnostics);
  const policy = validated.value;
  if (!policy || diagnostics.some((d) => d.severity === "error") || stop("lower"))
    return done(policy ? { sources, policy } : { sources });

  const lowered = lower(policy);
  diagnostics.push(...lowered.diagnostics);
  const ir = lowered.value;
  if (!ir || stop("emit")) return done(ir ? { sources, policy, ir } : { sources, policy });

  const versionOption = options.version === undefined ? {} : { version: options.version };
  const emitted = emit(ir, versionOption).value;
  if (!emitted || stop("typegen")) return done(emitted ? { sources, policy, ir, emitted } : { sources, policy, ir });

  let types: GeneratedTypes | undefined;
  if (options.types) {
    const generated = await typegen(ir, { revision: emitted.revision, ...versionOption });
    diagnostics.push(...generated.diagnostics);
    types = generated.value;
  }
  const sofar = { sources, policy, ir, emitted, ...(types ? { types } : {}) };
  if (stop("build") || !options.opa) return done(sofar);

  const built = await build(emitted, options.opa, options.signer ? { signer: options.signer } : {});
  diagnostics.push(...built.diagnostics);
  return done(built.value ? { ...sofar, built: built.value } : sofar);
}
