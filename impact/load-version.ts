/** Compiles a policy directory with the real pipeline and loads its bundle into the runtime. */
import { hasErrors } from "../compiler/diagnostics/diagnostic.js";
import type { OpaBinary } from "../compiler/build/index.js";
import { compile, type Compilation } from "../compiler/pipeline.js";
import { Authorizer } from "../wasm/authorizer.js";
import type { PolicyVersion } from "./version.js";

/** A compiled version and everything compiling reported; `version` is absent when it has errors. */
export interface LoadedVersion {
  readonly compilation: Compilation;
  readonly version?: PolicyVersion & { readonly decider: Authorizer };
}

/** Compiles and builds `dir` (with `opa`), and loads the bundle; errors are returned, not thrown. */
export async function loadVersion(dir: string, opa: OpaBinary): Promise<LoadedVersion> {
  const compilation = await compile(dir, { opa });
  const { ir, policy, built } = compilation;
  if (hasErrors(compilation.diagnostics) || !ir || !policy || !built) return { compilation };
  const decider = await Authorizer.load(built.bundle);
  return { compilation, version: { ir, policy, decider } };
}
