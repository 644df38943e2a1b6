import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { build, type OpaBinary } from "../../compiler/build/index.js";
import type { EmittedBundle } from "../../compiler/emit/index.js";
import { unpackBundle } from "../../wasm/bundle.js";
import { measureThroughput } from "./measure.js";

/** The rules timed alone, when the generated Rego has them: the whole decision and its main parts. */
export const PROFILED_RULES = [
  "gatehouse/decision",
  "gatehouse/request/valid",
  "gatehouse/engine/profile",
  "gatehouse/engine/app",
  "gatehouse/engine/perms",
  "gatehouse/engine/in_login_ranges",
  "gatehouse/engine/quick_allow",
  "gatehouse/engine/allow",
  "gatehouse/engine/reasons",
  "gatehouse/engine/notes",
] as const;

/** One rule evaluated alone (with everything it depends on) on the requests, in the WebAssembly. */
export interface RuleCost {
  readonly rule: string;
  readonly meanNs: number;
}

type OpaEval = (r: number, e: number, d: number, i: number, l: number, h: number, f: number) => number;

interface Internals {
  readonly mem: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly wasmInstance: { readonly exports: { readonly opa_eval: OpaEval } };
  readonly dataHeapPtr: number;
  readonly dataAddr: number;
  readonly entrypoints: Record<string, number>;
  setData(data: ArrayBuffer): void;
}

/** The complete (non-function) rules each generated package defines. */
function definedRules(emitted: EmittedBundle): Set<string> {
  const rules = new Set<string>();
  for (const [path, text] of emitted.files) {
    if (!path.endsWith(".rego")) continue;
    const pkg = /^package\s+(\S+)/m.exec(text)?.[1]?.replace(/\./g, "/");
    if (!pkg) continue;
    for (const m of text.matchAll(/^(?:default\s+)?([a-z_][a-z0-9_]*)\s*(?::=|if\b|contains\b)/gm))
      rules.add(`${pkg}/${m[1]}`);
  }
  return rules;
}

/**
 * Builds the tier's Rego again with every profiled rule as an entry point; `time` then times each rule
 * evaluated alone through `opa_eval` (the runtime's fast path: input written once, result
 * decoded) on `requests`. A rule's time includes the rules it depends on; the decision's
 * includes them all.
 */
export async function regoProfile(
  emitted: EmittedBundle,
  opa: OpaBinary,
  requests: readonly string[],
  budget: { readonly count: number; readonly seconds: number },
): Promise<{ readonly time: () => RuleCost[] } | string> {
  const present = definedRules(emitted);
  const rules = PROFILED_RULES.filter((r) => present.has(r));
  const built = await build({ ...emitted, entrypoints: [...new Set([...emitted.entrypoints, ...rules])] }, opa);
  if (!built.value) return `the profiling build failed: ${built.diagnostics[0]?.message ?? "no bundle"}`;
  const bundle = await unpackBundle(built.value.bundle);
  const initial = Math.max(8, Math.ceil((bundle.data.byteLength * 3) / 65536));
  const policy = (await loadPolicy(bundle.wasm, { initial, maximum: 16384 })) as unknown as Internals;
  policy.setData(bundle.data.slice().buffer);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const inputs = requests.map((r) => encoder.encode(r));
  const evaluate = (entrypoint: number, input: Uint8Array): string => {
    const base = policy.dataHeapPtr;
    if (base + input.length + 1 > policy.mem.buffer.byteLength) policy.mem.grow(1);
    new Uint8Array(policy.mem.buffer).set(input, base);
    const out = policy.wasmInstance.exports.opa_eval(
      0,
      entrypoint,
      policy.dataAddr,
      base,
      input.length,
      base + input.length,
      0,
    );
    const view = new Uint8Array(policy.mem.buffer);
    return decoder.decode(view.subarray(out, view.indexOf(0, out)));
  };
  return {
    time: () =>
      rules.map((rule) => {
        const entrypoint = policy.entrypoints[rule]!;
        const t = measureThroughput((i) => evaluate(entrypoint, inputs[i % inputs.length]!), {
          warmup: Math.min(2000, budget.count),
          count: budget.count,
          maxSeconds: budget.seconds,
        });
        return { rule: rule.replace(/^gatehouse\//, "").replace(/\//g, "."), meanNs: 1e9 / t.perSecond };
      }),
  };
}
