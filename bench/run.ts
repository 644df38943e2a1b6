/**
 * The benchmark: generates policy sets at tiers S, M and L, compiles them through the real
 * pipeline with the real `opa`, and measures decisions, latency, batch and worker-pool
 * throughput, compile and load time and memory, against baselines in the same run — a naive
 * Rego policy through the same runtime, OPA's Go evaluator (`opa bench`, a loop and one
 * prepared input), `opa run --server` over loopback HTTP with its HTTP floor (the same server
 * on a trivial policy), the TypeScript reference evaluator, the trivial-policy floor through
 * the same runtime and Cedar on an equivalent policy for the core of the workload (both timed
 * side by side with Gatehouse on the same requests) — then the scaling curves in ranges and
 * apps, and judges every target (bench/harness/targets.ts). See bench/README.md.
 *
 *   npm run bench               full run (about ten minutes on a quiet machine); writes bench/results/
 *   npm run bench -- --quick    small counts, a few minutes; writes bench/results/quick/ (git-ignored)
 *
 * Options: --tiers S,M,L (which tiers), --no-scaling, --no-http.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { findOpa, isOpaBinary, type OpaBinary } from "../compiler/build/index.js";
import { writeArchive } from "../core/bundle-archive.js";
import { packageRoot } from "../core/package-root.js";
import { referenceDecide } from "../test/reference/evaluator.js";
import { Authorizer } from "../wasm/index.js";
import { httpArm, naiveArm, type NaiveArm } from "./harness/arms.js";
import { loadTimes, memory } from "./harness/load.js";
import { scalingChart } from "./harness/scaling-chart.js";
import { coldCompileMs, compileTier, compileTimed, type CompiledTier } from "./harness/compile-tier.js";
import { breakdown } from "./harness/breakdown.js";
import { benchFeed } from "./harness/feed.js";
import { loadNow, machineInfo, pinProcess, tasksetAvailable } from "./harness/machine.js";
import { markdownReport, summaryMarkdown } from "./harness/markdown.js";
import { measureInterleaved, measureLatency, measureThroughput, type Budget } from "./harness/measure.js";
import { opaNativeBench } from "./harness/opa-native.js";
import { measurePool } from "./harness/pool.js";
import { Random } from "./harness/random.js";
import { regoProfile } from "./harness/rego-profile.js";
import { isSkipped, type BenchResults, type ScalingPoint, type Skipped, type TierResult } from "./harness/results.js";
import { buildFloorBundle } from "./harness/floor.js";
import { sideBySide } from "./harness/side-by-side.js";
import { buildStream, streamMix, type StreamRequest } from "./harness/stream.js";
import { judgeTargets } from "./harness/targets.js";
import { appsPoint, rangesPoint, TIERS, type TierSpec } from "./harness/tiers.js";
import { FULL_BUDGETS, QUICK_BUDGETS, type Budgets } from "./harness/budgets.js";
import { armsLine, cedarFor, msOrNone, prefixCount, verifyStream } from "./harness/tier-checks.js";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    tiers: { type: "string", default: "S,M,L" },
    "no-scaling": { type: "boolean", default: false },
    "no-http": { type: "boolean", default: false },
  },
});
const quick = args.quick;
const withScaling = !args["no-scaling"];
const withHttp = !args["no-http"];

/** How much each arm measures; the quick run keeps the same shape with smaller counts. */
const BUDGETS: Budgets = quick ? QUICK_BUDGETS : FULL_BUDGETS;
const HTTP_CONCURRENCY = 16;
const SCALING_ROUNDS = 10;
const SIDE_BY_SIDE_ROUNDS = 10;
const DECIDE_MANY_BATCH = 1000;

const started = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
};

const found = findOpa();
if (!isOpaBinary(found)) {
  process.stderr.write(`bench: ${found.message}\n`);
  process.exit(2);
}
const opa: OpaBinary = found;
const machine = machineInfo(opa.version);
const canPin = machine.tasksetAvailable && machine.cores >= 2 && tasksetAvailable();
const feed = benchFeed(new Random(4242));
log(
  `${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, opa ${opa.version}, load ${machine.loadAverage.start.toFixed(2)}; ` +
    `feed: ${feed.origin} (${feed.counts.v4} + ${feed.counts.v6} prefixes); ${quick ? "quick" : "full"} run`,
);
const work = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
const floorBundle = buildFloorBundle(opa);
const floorBundlePath = join(work, "floor.tar.gz");
writeFileSync(floorBundlePath, floorBundle);
const floorAuthorizer: Authorizer | Skipped = await Authorizer.load(floorBundle).catch((error: unknown) => ({
  skipped: `the runtime refused the trivial-policy floor bundle: ${(error as Error).message}`,
}));

/** Runs `f` with this process pinned to CPU 0 (when possible); reports whether it was. */
function pinned<T>(f: () => T): { value: T; pinned: boolean } {
  const pin = canPin ? pinProcess(0) : { pinned: false, restore: () => undefined };
  try {
    return { value: f(), pinned: pin.pinned };
  } finally {
    pin.restore();
  }
}

function budget(count: number, maxSeconds = BUDGETS.loopSeconds, warmup = BUDGETS.warmup): Budget {
  return { warmup, count, maxSeconds };
}

function streamFor(compiled: CompiledTier): StreamRequest[] {
  return buildStream(compiled.model, new Random(compiled.spec.seed * 7919 + 17), BUDGETS.streamRequests);
}

/** The tier's Rego and data without policy.wasm, as a bundle file: what OPA's Go evaluator serves. */
async function writeRegoBundle(compiled: CompiledTier): Promise<string> {
  const path = join(work, `rego-${compiled.spec.name}.tar.gz`);
  const files = [...compiled.emitted.files].map(([p, text]) => [p, new TextEncoder().encode(text)] as const);
  writeFileSync(path, await writeArchive(files));
  return path;
}

async function runTier(spec: TierSpec, httpHere: boolean): Promise<TierResult> {
  log(
    `tier ${spec.name}: generating and compiling (${spec.apps} apps, ${spec.profiles} profiles, ${spec.ranges} ranges${spec.feed ? " + feed" : ""})`,
  );
  const compiled = await compileTier(spec, feed, opa);
  try {
    const warmMs: number[] = [];
    for (let i = 0; i < BUDGETS.warmCompiles; i++) warmMs.push((await compileTimed(compiled.dir, opa)).times.total);
    const coldMs: number[] = [];
    const cold = quick && spec.name === "L" ? 0 : BUDGETS.coldCompiles;
    for (let i = 0; i < cold; i++) coldMs.push(coldCompileMs(compiled.dir, opa));
    log(
      `tier ${spec.name}: compiled: first ${compiled.firstCompile.total.toFixed(0)} ms, warm ${msOrNone(warmMs)}, cold ${msOrNone(coldMs)}`,
    );
    const bundlePath = join(work, `bundle-${spec.name}.tar.gz`);
    writeFileSync(bundlePath, compiled.bundle);
    const load = await loadTimes(bundlePath, BUDGETS.loads);
    const { memory: mem, authorizer } = await memory(bundlePath, compiled.dataJsonBytes);
    log(
      `tier ${spec.name}: load ${load.totalMs.toFixed(0)} ms, WebAssembly memory ${(mem.wasmMemoryBytes / 2 ** 20).toFixed(1)} MiB`,
    );
    const stream = streamFor(compiled);
    verifyStream(authorizer, stream, spec.name);
    const objects = stream.map((r) => r.request);
    const texts = stream.map((r) => r.json);
    const n = stream.length;
    const opaInputs = objects.slice(0, BUDGETS.opaLoopInputs);
    const batches = Array.from({ length: Math.ceil(n / DECIDE_MANY_BATCH) }, (_, b) =>
      objects.slice(b * DECIDE_MANY_BATCH, (b + 1) * DECIDE_MANY_BATCH),
    ).filter((b) => b.length === DECIDE_MANY_BATCH);
    const fixed = { allow: true, reasons: [], notes: [], revision: authorizer.revision };
    const decisions = spec.name === "L" ? BUDGETS.decisionsL : BUDGETS.decisions;
    const naive: NaiveArm | Skipped =
      quick && spec.name === "L"
        ? { skipped: "quick run: not on tier L" }
        : await naiveArm(opa, compiled, stream, budget(BUDGETS.naiveDecisions, BUDGETS.naiveSeconds));
    const profile = await regoProfile(compiled.emitted, opa, texts, {
      count: BUDGETS.breakdownDecisions,
      seconds: BUDGETS.breakdownSeconds,
    });
    const cedar = cedarFor(compiled);
    log(`tier ${spec.name}: timing on one core`);
    const loops = pinned(() => {
      const decide = measureLatency(
        (i) => authorizer.decide(objects[i % n]),
        budget(decisions, BUDGETS.latencySeconds),
      );
      const decideThroughput = measureThroughput(
        (i) => authorizer.decide(objects[i % n]),
        budget(BUDGETS.throughputDecisions),
      );
      const decideJson = measureLatency(
        (i) => authorizer.decideJson(texts[i % n]!),
        budget(BUDGETS.secondary, BUDGETS.secondarySeconds),
      );
      const jsonInOut = measureThroughput(
        (i) => JSON.stringify(authorizer.decide(JSON.parse(texts[i % n]!) as unknown)),
        budget(BUDGETS.secondary, BUDGETS.secondarySeconds),
      );
      const many = measureThroughput((i) => authorizer.decideMany(batches[i % batches.length]!), {
        warmup: Math.ceil(BUDGETS.warmup / DECIDE_MANY_BATCH),
        count: Math.ceil(BUDGETS.throughputDecisions / DECIDE_MANY_BATCH),
        maxSeconds: BUDGETS.loopSeconds,
      });
      const onOpaInputs = measureThroughput(
        (i) => authorizer.decide(opaInputs[i % opaInputs.length]),
        budget(BUDGETS.secondary, BUDGETS.secondarySeconds),
      );
      const reference = measureThroughput(
        (i) => JSON.stringify(referenceDecide(compiled.policy, JSON.parse(texts[i % n]!))),
        budget(BUDGETS.secondary, BUDGETS.secondarySeconds),
      );
      const floor = measureThroughput(
        (i) => {
          JSON.parse(texts[i % n]!);
          return JSON.stringify(fixed);
        },
        budget(BUDGETS.secondary, BUDGETS.secondarySeconds),
      );
      const naiveLatency = isSkipped(naive) ? undefined : naive.run();
      const steps = breakdown(authorizer, stream, {
        count: BUDGETS.breakdownDecisions,
        seconds: BUDGETS.breakdownSeconds,
      });
      const rules = typeof profile === "string" ? { skipped: profile } : profile.time();
      const arms = isSkipped(floorAuthorizer)
        ? floorAuthorizer
        : sideBySide(authorizer, floorAuthorizer, cedar, stream, {
            floor: budget(BUDGETS.floorDecisions, BUDGETS.floorSeconds),
            cedar: budget(BUDGETS.cedarDecisions, BUDGETS.cedarSeconds, 1_000),
            rounds: SIDE_BY_SIDE_ROUNDS,
          });
      return {
        arms,
        decide,
        decideThroughput,
        decideJson,
        jsonInOut,
        many,
        onOpaInputs,
        reference,
        floor,
        naiveLatency,
        steps,
        rules,
      };
    });
    const l = loops.value;
    log(
      `tier ${spec.name}: ${Math.round(l.decideThroughput.perSecond)} decisions/s, p50 ${(l.decide.p50Ns / 1000).toFixed(2)} µs, p99 ${(l.decide.p99Ns / 1000).toFixed(2)} µs`,
    );
    log(`tier ${spec.name}: ${armsLine(l.arms)}`);
    log(`tier ${spec.name}: opa bench`);
    const allowed = stream.find((r) => r.template.reasons.length === 0)!.request;
    const native =
      quick && spec.name === "L"
        ? { loop: "quick run: not on tier L", single: "quick run: not on tier L" }
        : opaNativeBench(opa, compiled.emitted, opaInputs, allowed, { pin: canPin });
    const pool = await measurePool(compiled.bundle, objects, { seconds: BUDGETS.poolSeconds, batch: 64, inFlight: 4 });
    const notHere = { skipped: quick ? "quick run: HTTP on tier M only" : "HTTP on tiers M and L only" };
    const http = httpHere
      ? await httpArm(bundlePath, await writeRegoBundle(compiled), floorBundlePath, stream, {
          opa,
          pin: canPin,
          concurrency: HTTP_CONCURRENCY,
          seconds: BUDGETS.httpSeconds,
        })
      : { gatehouse: notHere, opa: notHere, opaTopdown: notHere, opaFloor: notHere, serverPinned: false };
    const { sets, prefixes } = prefixCount(compiled);
    return {
      spec,
      sizes: {
        sourceBytes: compiled.sourceBytes,
        dataJsonBytes: compiled.dataJsonBytes,
        bundleBytes: compiled.bundle.byteLength,
        addressSets: sets,
        prefixes,
      },
      compile: { first: compiled.firstCompile, warmMs, coldMs },
      load,
      memory: mem,
      stream: { ...streamMix(stream), rangeForms: compiled.model.rangeForms },
      pinned: loops.pinned,
      gatehouse: {
        decide: l.decide,
        decideThroughput: l.decideThroughput,
        decideJson: l.decideJson,
        jsonInOut: l.jsonInOut,
        decideMany: {
          warmup: l.many.warmup * DECIDE_MANY_BATCH,
          count: l.many.count * DECIDE_MANY_BATCH,
          seconds: l.many.seconds,
          perSecond: l.many.perSecond * DECIDE_MANY_BATCH,
          batch: DECIDE_MANY_BATCH,
        },
        opaInputs: l.onOpaInputs,
      },
      breakdown: l.steps,
      rules: l.rules,
      baselines: {
        naive: isSkipped(naive) ? naive : { ...naive.info, latency: l.naiveLatency! },
        opaNative: {
          loop: typeof native.loop === "string" ? { skipped: native.loop } : native.loop,
          single: typeof native.single === "string" ? { skipped: native.single } : native.single,
        },
        reference: l.reference,
        jsonFloor: l.floor,
        http,
        pool,
      },
      sideBySide: l.arms,
    };
  } finally {
    compiled.dispose();
  }
}

/** A scaling point compiled, loaded and checked, ready to be timed. */
interface PreparedPoint {
  readonly spec: TierSpec;
  readonly dataJsonBytes: number;
  readonly prefixes: number;
  readonly decide: (i: number) => unknown;
  readonly naive: NaiveArm | Skipped;
}

async function preparePoint(spec: TierSpec, withNaive: true | string): Promise<PreparedPoint> {
  const compiled = await compileTier(spec, feed, opa);
  try {
    const authorizer = await Authorizer.load(compiled.bundle);
    const stream = streamFor(compiled);
    verifyStream(authorizer, stream, spec.name);
    const objects = stream.map((r) => r.request);
    const naive: NaiveArm | Skipped =
      withNaive === true
        ? await naiveArm(opa, compiled, stream, budget(BUDGETS.naiveDecisions, BUDGETS.naiveSeconds))
        : { skipped: withNaive };
    log(`${spec.name}: compiled and checked`);
    return {
      spec,
      dataJsonBytes: compiled.dataJsonBytes,
      prefixes: prefixCount(compiled).prefixes,
      decide: (i) => authorizer.decide(objects[i % objects.length]),
      naive,
    };
  } finally {
    compiled.dispose();
  }
}

/**
 * Times the points of one curve on one core in interleaved rounds (their ratios are the
 * targets, so a change in the machine's load must fall on every point alike), then the naive
 * policy of each point on its own.
 */
function measureCurve(points: readonly PreparedPoint[]): ScalingPoint[] {
  const loops = pinned(() => ({
    gatehouse: measureInterleaved(
      points.map((p) => p.decide),
      budget(BUDGETS.scalingDecisions, BUDGETS.scalingSeconds),
      SCALING_ROUNDS,
    ),
    naive: points.map((p) => (isSkipped(p.naive) ? p.naive : p.naive.run())),
  }));
  return points.map((p, k) => {
    const gatehouse = loops.value.gatehouse[k]!;
    const naive = loops.value.naive[k]!;
    log(
      `${p.spec.name}: p50 ${(gatehouse.p50Ns / 1000).toFixed(2)} µs` +
        (isSkipped(naive) ? "" : `, naive p50 ${(naive.p50Ns / 1000).toFixed(1)} µs`),
    );
    return { spec: p.spec, dataJsonBytes: p.dataJsonBytes, prefixes: p.prefixes, gatehouse, naive };
  });
}

try {
  const tierNames = args.tiers.split(",").map((s) => s.trim()) as Array<keyof typeof TIERS>;
  const tiers: TierResult[] = [];
  for (const name of tierNames) {
    const spec = TIERS[name];
    if (!spec) throw new Error(`bench: unknown tier \`${name}\` (S, M or L)`);
    tiers.push(await runTier(spec, withHttp && (quick ? name === "M" : name !== "S")));
  }
  const scaling: { ranges: ScalingPoint[]; apps: ScalingPoint[] } = { ranges: [], apps: [] };
  if (withScaling) {
    const ranges: PreparedPoint[] = [];
    for (const n of [10, 100, 1_000, 10_000, 100_000]) ranges.push(await preparePoint(rangesPoint(n), true));
    scaling.ranges.push(...measureCurve(ranges));
    const apps: PreparedPoint[] = [];
    for (const n of [10, 100, 1_000, 10_000])
      apps.push(await preparePoint(appsPoint(n), quick && n > 1_000 ? "quick run: naive Rego up to 1k apps" : true));
    scaling.apps.push(...measureCurve(apps));
  }
  const targets = judgeTargets(tiers, scaling);
  const results: BenchResults = {
    kind: "gatehouse-bench",
    version: 1,
    mode: quick ? "quick" : "full",
    machine: { ...machine, loadAverage: { start: machine.loadAverage.start, end: loadNow() } },
    feed: { origin: feed.origin, path: feed.path, v4: feed.counts.v4, v6: feed.counts.v6 },
    budgets: { ...BUDGETS, httpConcurrency: HTTP_CONCURRENCY, decideManyBatch: DECIDE_MANY_BATCH },
    tiers,
    scaling,
    targets,
    durationSeconds: (performance.now() - started) / 1000,
  };
  const outDir = join(packageRoot(), "bench", "results", ...(quick ? ["quick"] : []));
  mkdirSync(outDir, { recursive: true });
  const chart = withScaling ? "scaling.svg" : undefined;
  if (chart) writeFileSync(join(outDir, chart), scalingChart(scaling));
  writeFileSync(join(outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const report = markdownReport(results, chart);
  writeFileSync(join(outDir, "results.md"), report);
  writeFileSync(join(outDir, "summary.md"), summaryMarkdown(results));
  process.stdout.write(`${report}\n`);
  log(`the run took ${(results.durationSeconds / 60).toFixed(1)} min`);
  log(`wrote ${join("bench", "results", ...(quick ? ["quick"] : []))}/`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
