/**
 * OPA's Go evaluator (topdown) on tier L, one prepared input at a time:
 *
 *   OPA_BIN=path/to/opa npx tsx bench/topdown-profile.ts [OUT]
 *
 * Generates tier L (with the provider feed, harness/feed.ts), compiles it to Rego and data.json
 * (no WebAssembly: topdown does not read it) into OUT (a temporary directory unless given, kept
 * so that `opa eval --profile` can be run on it), picks representative requests of the bench's
 * stream (the first allowed request, which is the bench's own `opa bench` input; an allowed
 * IPv4, IPv6 and IPv4-mapped request; a login-range deny; an invalid request) and times
 * `opa bench -i INPUT data.gatehouse.decision` on each, pinned to CPU 0 when `taskset` exists.
 * Also prints how many expressions OPA evaluated for the input (the sum of `num_eval` over
 * every location of `opa eval --profile`). Results are recorded in bench/results/topdown.md.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { hasErrors } from "../compiler/diagnostics/diagnostic.js";
import { emit } from "../compiler/emit/index.js";
import { load } from "../compiler/load/index.js";
import { lower } from "../compiler/lower/index.js";
import { validate } from "../compiler/validate/index.js";
import { benchFeed } from "./harness/feed.js";
import { Random } from "./harness/random.js";
import { buildStream, type StreamRequest } from "./harness/stream.js";
import { generateTier, TIERS } from "./harness/tiers.js";

const opa = process.env["OPA_BIN"];
if (!opa) throw new Error("bench: set OPA_BIN to the pinned opa");
const out = resolve(process.argv[2] ?? mkdtempSync(join(tmpdir(), "gatehouse-topdown-")));
const pin = spawnSync("taskset", ["-c", "0", "true"]).status === 0;

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Tier L as the bench generates it, compiled to the bundle's sources under OUT/policy. */
function compileTierL(): ReturnType<typeof generateTier> {
  const generated = generateTier(TIERS.L, benchFeed(new Random(4242)));
  const dir = join(out, "yaml");
  for (const [path, text] of generated.files) write(join(dir, path), text);
  const loaded = load({ dir });
  const validated = loaded.value && !hasErrors(loaded.diagnostics) ? validate(loaded.value) : undefined;
  if (!validated?.value) throw new Error("bench: tier L does not compile");
  const emitted = emit(lower(validated.value).value!).value!;
  for (const [path, text] of emitted.files) if (path !== ".manifest") write(join(out, "policy", path), text);
  return generated;
}

/** The requests timed: the bench's own single input first, then one of each kind. */
function representative(stream: readonly StreamRequest[]): Map<string, unknown> {
  const pick = (p: (r: StreamRequest) => boolean): unknown => stream.find(p)?.request;
  const allowed = (r: StreamRequest): boolean => r.template.reasons.length === 0 && r.template.notes.length === 0;
  const chosen = new Map<string, unknown>([
    ["allowed: the bench's input", pick((r) => r.template.reasons.length === 0)],
    ["allowed, IPv4", pick((r) => allowed(r) && r.form === "v4")],
    ["allowed, IPv6", pick((r) => allowed(r) && r.form === "v6")],
    ["allowed, IPv4-mapped", pick((r) => allowed(r) && r.form === "mapped")],
    ["deny: IP_OUTSIDE_LOGIN_RANGES", pick((r) => r.template.reasons[0] === "IP_OUTSIDE_LOGIN_RANGES")],
    ["deny: INPUT_INVALID", pick((r) => r.template.reasons[0] === "INPUT_INVALID")],
  ]);
  const seen = new Set<string>();
  for (const [k, v] of chosen) {
    if (v === undefined || seen.has(JSON.stringify(v))) chosen.delete(k);
    else seen.add(JSON.stringify(v));
  }
  return chosen;
}

function run(args: readonly string[]): string {
  const command = pin ? "taskset" : opa!;
  const all = pin ? ["-c", "0", opa!, ...args] : [...args];
  const r = spawnSync(command, all, { cwd: out, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bench: opa ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}

/** Expressions `opa eval --profile` counts for `query` over the bundle's policy, given `more` arguments (`-i`, `-d`). */
function evaluatedExpressions(more: readonly string[], query: string): number {
  const args = ["eval", "--format", "json", "--profile", "--profile-limit", "100000", "-d", "policy"];
  const profiled = JSON.parse(run([...args, ...more, query])) as {
    profile: ReadonlyArray<{ readonly num_eval: number }>;
  };
  return profiled.profile.reduce((sum, p) => sum + p.num_eval, 0);
}

interface GoBench {
  readonly N: number;
  readonly T: number;
  readonly MemAllocs: number;
}

const generated = compileTierL();
const stream = buildStream(generated.model, new Random(TIERS.L.seed * 7919 + 17), 2048);
const rows: string[] = [
  "| input | µs per decision | allocations | evaluated expressions |",
  "| --- | --- | --- | --- |",
];
let i = 0;
for (const [name, request] of representative(stream)) {
  const file = `input-${i++}.json`;
  write(join(out, file), JSON.stringify(request));
  const bench = JSON.parse(
    run(["bench", "--format", "json", "--benchmem", "-d", "policy", "-i", file, "data.gatehouse.decision"]),
  ) as GoBench;
  const exprs = evaluatedExpressions(["-i", file], "data.gatehouse.decision");
  rows.push(
    `| ${name} | ${(bench.T / bench.N / 1000).toFixed(1)} | ${(bench.MemAllocs / bench.N).toFixed(0)} | ${exprs} |`,
  );
  process.stderr.write(`${rows.at(-1)}\n`);
}
// The whole mix: the bench's loop over the first 256 requests of the stream, one query.
const mix = stream.slice(0, 256).map((r) => r.request);
write(join(out, "inputs.json"), JSON.stringify({ gatehouse_bench: { inputs: mix } }));
const loop = "count([d | some x in data.gatehouse_bench.inputs; d := data.gatehouse.decision with input as x])";
const loopBench = JSON.parse(
  run(["bench", "--format", "json", "--benchmem", "-d", "policy", "-d", "inputs.json", loop]),
) as GoBench;
const loopExprs = evaluatedExpressions(["-d", "inputs.json"], loop);
rows.push(
  `| mean of the first ${mix.length} stream requests (one query, \`with input as\`) | ${(loopBench.T / loopBench.N / mix.length / 1000).toFixed(1)} | ${(loopBench.MemAllocs / loopBench.N / mix.length).toFixed(0)} | ${(loopExprs / mix.length).toFixed(0)} |`,
);
process.stdout.write(`${rows.join("\n")}\n\nsources and inputs in ${out}${pin ? "; pinned to CPU 0" : ""}\n`);
