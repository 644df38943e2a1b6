import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { OpaBinary } from "../../compiler/build/index.js";
import type { EmittedBundle } from "../../compiler/emit/index.js";

/** One `opa bench` run on OPA's Go evaluator (topdown), and what a decision cost in it. */
export interface OpaBenchResult {
  /** What the timed operation is. */
  readonly what: string;
  /** Decisions per timed operation. */
  readonly decisionsPerOp: number;
  /** Operations Go's benchmark loop ran. */
  readonly ops: number;
  readonly nsPerDecision: number;
  /** OPA's own percentiles of one operation's query evaluation, in ns, when reported. */
  readonly evalP50Ns?: number;
  readonly evalP99Ns?: number;
  readonly allocsPerDecision: number;
  /** Whether the run was pinned to one core with `taskset -c 0`. */
  readonly pinned: boolean;
}

interface GoBench {
  readonly N: number;
  readonly T: number;
  readonly MemAllocs: number;
  readonly Extra?: Record<string, number>;
}

function writeTree(dir: string, files: ReadonlyMap<string, string>): void {
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function runBench(
  opa: OpaBinary,
  args: readonly string[],
  cwd: string,
  pin: boolean,
): { ok: true; bench: GoBench } | { ok: false; error: string } {
  const command = pin ? "taskset" : opa.path;
  const all = pin ? ["-c", "0", opa.path, ...args] : [...args];
  const run = spawnSync(command, all, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0)
    return { ok: false, error: (run.stderr || run.stdout).trim().split("\n").slice(0, 3).join(" ") };
  return { ok: true, bench: JSON.parse(run.stdout) as GoBench };
}

/**
 * Times OPA's Go evaluator on the compiled policy's Rego and data.json (the bundle's sources,
 * without its WebAssembly) with `opa bench`, pinned to one core when `pin`:
 *
 * - `loop`: one query decides every request of `inputs` in turn (`with input as`), so the
 *   per-decision time is the operation's time over their count. It includes replacing the
 *   input, not parsing it: the inputs are data.
 * - `single`: the prepared query on one request given as input (`-i`), as an embedding Go
 *   service would call it: converting the input and evaluating.
 */
export function opaNativeBench(
  opa: OpaBinary,
  emitted: EmittedBundle,
  inputs: readonly unknown[],
  single: unknown,
  options: { readonly pin: boolean },
): { loop: OpaBenchResult | string; single: OpaBenchResult | string } {
  const work = mkdtempSync(join(tmpdir(), "gatehouse-opa-bench-"));
  try {
    const src = join(work, "policy");
    writeTree(src, new Map([...emitted.files].filter(([p]) => p !== ".manifest")));
    writeFileSync(join(work, "inputs.json"), JSON.stringify({ gatehouse_bench: { inputs } }));
    writeFileSync(join(work, "input.json"), JSON.stringify(single));
    const common = ["bench", "--format", "json", "--benchmem", "-d", "policy"];
    const loopQuery =
      "count([d | some x in data.gatehouse_bench.inputs; d := data.gatehouse.decision with input as x])";
    const loopRun = runBench(opa, [...common, "-d", "inputs.json", loopQuery], work, options.pin);
    const singleRun = runBench(opa, [...common, "-i", "input.json", "data.gatehouse.decision"], work, options.pin);
    const result = (what: string, per: number, bench: GoBench): OpaBenchResult => ({
      what,
      decisionsPerOp: per,
      ops: bench.N,
      nsPerDecision: bench.T / bench.N / per,
      ...(bench.Extra?.["histogram_timer_rego_query_eval_ns_median"] !== undefined
        ? {
            evalP50Ns: bench.Extra["histogram_timer_rego_query_eval_ns_median"],
            evalP99Ns: bench.Extra["histogram_timer_rego_query_eval_ns_99%"]!,
          }
        : {}),
      allocsPerDecision: bench.MemAllocs / bench.N / per,
      pinned: options.pin,
    });
    return {
      loop: loopRun.ok
        ? result(`one query deciding ${inputs.length} stream requests (with input as)`, inputs.length, loopRun.bench)
        : loopRun.error,
      single: singleRun.ok
        ? result("prepared query, one allowed stream request as input", 1, singleRun.bench)
        : singleRun.error,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
