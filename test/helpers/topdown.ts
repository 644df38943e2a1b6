import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { EmittedBundle } from "../../compiler/emit/index.js";
import type { Decision } from "../../wasm/index.js";
import { runOpa } from "./opa.js";
import { tempDir } from "./policy.js";

/** Writes the emitted Rego and data.json (no manifest, no wasm) into a fresh directory. */
export function writeSources(emitted: EmittedBundle): string {
  const dir = tempDir("gatehouse-src-");
  for (const [path, text] of emitted.files) {
    if (path === ".manifest") continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/**
 * Decides every input with OPA's Go evaluator (topdown) on the emitted Rego, in one `opa eval`
 * process: the inputs travel as data and each is evaluated `with input as` it.
 */
export function topdownDecisions(
  emitted: EmittedBundle,
  inputs: readonly unknown[],
  entrypoint = "data.gatehouse.decision",
): Decision[] {
  const dir = writeSources(emitted);
  const cases = join(tempDir("gatehouse-cases-"), "cases.json");
  writeFileSync(cases, JSON.stringify({ gatehouse_cases: { inputs } }));
  const query = `[d | some x in data.gatehouse_cases.inputs; d := ${entrypoint} with input as x]`;
  const run = runOpa(["eval", "--format", "json", "-d", dir, "-d", cases, query]);
  if (run.status !== 0) throw new Error(`opa eval failed: ${run.stderr}${run.stdout}`);
  const out = JSON.parse(run.stdout) as { result?: Array<{ expressions: Array<{ value: Decision[] }> }> };
  const value = out.result?.[0]?.expressions[0]?.value;
  if (!value || value.length !== inputs.length)
    throw new Error(`opa eval returned ${value?.length ?? "no"} decisions for ${inputs.length} inputs`);
  return value;
}
