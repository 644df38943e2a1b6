/**
 * Throughput of one synchronous Authorizer against an AuthorizerPool of worker threads, on the
 * quick-start bundle and its requests. Each run decides for a fixed time and reports decisions
 * per second. The pool is imported from the build (worker threads run dist/wasm/pool-worker.js):
 *
 *   npm run build && npx tsx bench/pool-throughput.ts [seconds per run, default 5]
 *
 * Results are recorded in bench/results/pool-throughput.md.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { findOpa, isOpaBinary } from "../compiler/build/index.js";
import { compile } from "../compiler/pipeline.js";
import { packageRoot } from "../core/package-root.js";
import type * as RuntimeModule from "../wasm/index.js";

type Runtime = typeof RuntimeModule;
const root = packageRoot();
const runtime = (await import(pathToFileURL(join(root, "dist", "wasm", "index.js")).href)) as Runtime;

const seconds = Number(process.argv[2] ?? "5");
const dir = join(root, "examples", "quickstart");
const opa = findOpa();
if (!isOpaBinary(opa)) throw new Error(opa.message);
const compilation = await compile(dir, { opa });
if (!compilation.built) throw new Error("quick-start build failed");
const bundle = compilation.built.bundle;
const requests = readFileSync(join(dir, "requests.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as unknown);

/**
 * Prints a run's rate, its ratio to the single-thread baseline, the CPU the whole process (all
 * threads) used per second of wall time — a pool can only beat one thread by as many cores as
 * the machine actually gives it — and the CPU time spent per decision, the pool's overhead.
 */
function report(label: string, decisions: number, ms: number, cpu: NodeJS.CpuUsage, baseline?: number): number {
  const rate = (decisions / ms) * 1000;
  const ratio = baseline === undefined ? "" : `${(rate / baseline).toFixed(2)}× single`;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const cores = (cpuMs / ms).toFixed(2);
  const perDecision = ((cpuMs * 1000) / decisions).toFixed(1);
  process.stdout.write(
    `${label.padEnd(34)} ${Math.round(rate).toLocaleString("en-US").padStart(9)} decisions/s  ` +
      `${cores} cores busy  ${perDecision.padStart(5)} CPU µs/decision  ${ratio}\n`,
  );
  return rate;
}

async function single(): Promise<number> {
  const authorizer = await runtime.Authorizer.load(bundle);
  for (let i = 0; i < 20_000; i++) authorizer.decide(requests[i % requests.length]);
  const cpu = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 1000; i++) authorizer.decide(requests[n++ % requests.length]);
  }
  return report("single Authorizer (synchronous)", n, performance.now() - start, process.cpuUsage(cpu));
}

/** Keeps `inFlight` calls of decideMany(`perCall` requests) outstanding on the pool until time is up. */
async function pool(workers: number, perCall: number, inFlight: number, baseline: number): Promise<void> {
  const p = await runtime.AuthorizerPool.open(bundle, { workers });
  // Every call takes the next requests in turn, so each run decides the same mix as the single one.
  let next = 0;
  const calls = Array.from({ length: requests.length }, () =>
    Array.from({ length: perCall }, () => requests[next++ % requests.length]),
  );
  await p.decideMany(Array.from({ length: 20_000 }, (_, i) => requests[i % requests.length]));
  const cpu = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  let call = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() - start < seconds * 1000) {
      const decisions = await p.decideMany(calls[call++ % calls.length]!);
      n += decisions.length;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const label = `pool, ${workers} worker${workers === 1 ? "" : "s"}, ${inFlight} × ${perCall} in flight`;
  report(label, n, performance.now() - start, process.cpuUsage(cpu), baseline);
  await p.close();
}

process.stdout.write(
  `node ${process.version}, ${cpus()[0]?.model ?? "unknown cpu"}, availableParallelism ${availableParallelism()}, ` +
    `load average ${loadavg()[0]!.toFixed(2)}, ${seconds} s per run\n`,
);
const baseline = await single();
for (const workers of [...new Set([1, 2, availableParallelism()])]) await pool(workers, 64, 4, baseline);
// One request per call, as a server handling concurrent HTTP requests would ask.
await pool(availableParallelism(), 1, 64, baseline);
