import type { HttpRun } from "./http.js";
import {
  isSkipped,
  type CedarResult,
  type ScalingPoint,
  type Skipped,
  type TargetResult,
  type TierResult,
} from "./results.js";

const us = (ns: number): string => `${(ns / 1000).toFixed(2)} µs`;
const ms = (v: number): string => `${v.toFixed(0)} ms`;
const times = (v: number): string => `${v.toFixed(2)}×`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export { median };

function judged(target: string, goal: string, measured: string, ratio: number, note?: string): TargetResult {
  const status = Number.isNaN(ratio) ? "not measured" : ratio <= 1 ? "met" : "missed";
  return note === undefined
    ? { target, goal, measured, ratio, status }
    : { target, goal, measured, ratio, status, note };
}

function missing(target: string, goal: string, why: string): TargetResult {
  return { target, goal, measured: "—", ratio: Number.NaN, status: "not measured", note: why };
}

function point(points: readonly ScalingPoint[], field: "ranges" | "apps", n: number): ScalingPoint | undefined {
  return points.find((p) => p.spec[field] === n);
}

/** "p50 at 10k apps ÷ p50 at 10 apps", for one scaling curve, against the largest ratio allowed. */
function flatness(
  points: readonly ScalingPoint[],
  field: "ranges" | "apps",
  [low, high]: readonly [number, number],
  limit: number,
  whyMissing: string,
): TargetResult {
  const short = (n: number): string => (n >= 1000 ? `${n / 1000}k` : String(n));
  const target = `p50 at ${short(high)} ${field} ÷ p50 at ${short(low)} ${field}`;
  const first = point(points, field, low);
  const last = point(points, field, high);
  if (!first || !last) return missing(target, `≤ ${limit}`, whyMissing);
  const ratio = last.gatehouse.p50Ns / first.gatehouse.p50Ns;
  return judged(
    target,
    `≤ ${limit}`,
    `${us(last.gatehouse.p50Ns)} ÷ ${us(first.gatehouse.p50Ns)} = ${times(ratio)}`,
    ratio / limit,
  );
}

const perSecond = (v: number): string => `${Math.round(v).toLocaleString("en-US")}/s`;

/** Requests per second of server CPU, or the wall-clock rate when the CPU time was not read. */
function perCore(run: HttpRun): { value: number; how: string } {
  return run.perCoreSecond !== undefined
    ? { value: run.perCoreSecond, how: "requests ÷ server CPU seconds" }
    : { value: run.perSecond, how: "wall-clock requests/s (server CPU time not read)" };
}

/** The targets of engine v2 (issue 15): the floor, Cedar, OPA's evaluator and servers. */
function engineV2Targets(m: TierResult | undefined, l: TierResult | undefined): TargetResult[] {
  const out: TargetResult[] = [];
  const arms = m?.sideBySide;
  if (m && arms && !isSkipped(arms)) {
    const ratio = arms.gatehouse.meanNs / arms.floor.meanNs;
    out.push(
      judged(
        "tier M mean ÷ trivial-policy floor mean (same runtime, same requests, interleaved)",
        "≤ 3×",
        `${us(arms.gatehouse.meanNs)} ÷ ${us(arms.floor.meanNs)} = ${times(ratio)}`,
        ratio / 3,
        `p50: ${us(arms.gatehouse.p50Ns)} ÷ ${us(arms.floor.p50Ns)} = ${times(arms.gatehouse.p50Ns / arms.floor.p50Ns)}`,
      ),
    );
  } else out.push(missing("tier M mean ÷ trivial-policy floor mean", "≤ 3×", "tier M side-by-side arms not run"));
  if (m)
    out.push(
      judged(
        "p99 latency, tier M (engine v2)",
        "≤ 30 µs",
        us(m.gatehouse.decide.p99Ns),
        m.gatehouse.decide.p99Ns / 30_000,
      ),
    );
  else out.push(missing("p99 latency, tier M (engine v2)", "≤ 30 µs", "tier M not run"));
  const cedar: CedarResult | Skipped | undefined = arms && !isSkipped(arms) ? arms.cedar : arms;
  if (cedar && !isSkipped(cedar)) {
    const speedup = cedar.cedar.meanNs / cedar.gatehouse.meanNs;
    out.push(
      judged(
        "faster than Cedar on the equivalent policy (tier M, core requests, mean)",
        "> 1× (Cedar time ÷ Gatehouse time)",
        `${us(cedar.cedar.meanNs)} ÷ ${us(cedar.gatehouse.meanNs)} = ${times(speedup)}`,
        1 / speedup,
        `decisions agreed on ${cedar.checked} of ${cedar.checked} core requests`,
      ),
    );
  } else
    out.push(
      missing(
        "faster than Cedar on the equivalent policy (tier M)",
        "> 1×",
        cedar && isSkipped(cedar) ? cedar.skipped : "tier M not run",
      ),
    );
  const single = l?.baselines.opaNative.single;
  if (single && !isSkipped(single))
    out.push(
      judged(
        "`opa bench`, one prepared input, tier L (OPA's Go evaluator)",
        "≤ 150 µs",
        us(single.nsPerDecision),
        single.nsPerDecision / 150_000,
      ),
    );
  else
    out.push(
      missing("`opa bench`, one prepared input, tier L", "≤ 150 µs", single ? single.skipped : "tier L not run"),
    );
  const http = l?.baselines.http;
  if (http && !isSkipped(http.opa)) {
    const opa = perCore(http.opa);
    out.push(
      judged(
        "`opa run --server` at tier L, requests/s per core",
        "≥ 3,000/s",
        perSecond(opa.value),
        3000 / opa.value,
        opa.how,
      ),
    );
    if (!isSkipped(http.gatehouse)) {
      const gatehouse = perCore(http.gatehouse);
      const slower = gatehouse.value / opa.value;
      out.push(
        judged(
          "`opa run --server` ÷ `gatehouse serve` at tier L, per core",
          "≤ 2× slower",
          `${perSecond(gatehouse.value)} ÷ ${perSecond(opa.value)} = ${times(slower)}`,
          slower / 2,
        ),
      );
    } else out.push(missing("`opa run --server` ÷ `gatehouse serve` at tier L", "≤ 2× slower", http.gatehouse.skipped));
  } else
    out.push(
      missing(
        "`opa run --server` at tier L, requests/s per core",
        "≥ 3,000/s",
        http && isSkipped(http.opa) ? http.opa.skipped : "HTTP not run on tier L",
      ),
    );
  return out;
}

/**
 * Judges the targets on one run. Every ratio is oriented so that ≤ 1 means met
 * (measured ÷ goal for limits, goal ÷ measured for floors).
 */
export function judgeTargets(
  tiers: readonly TierResult[],
  scaling: { readonly ranges: readonly ScalingPoint[]; readonly apps: readonly ScalingPoint[] },
): TargetResult[] {
  const tier = (name: string): TierResult | undefined => tiers.find((t) => t.spec.name === name);
  const out: TargetResult[] = [];
  const m = tier("M");
  const l = tier("L");
  out.push(...engineV2Targets(m, l));

  if (m) {
    const rate = m.gatehouse.decideThroughput.perSecond;
    out.push(
      judged(
        "decisions/s on one core, tier M",
        "≥ 150,000/s",
        `${Math.round(rate).toLocaleString("en-US")}/s`,
        150_000 / rate,
      ),
    );
    out.push(judged("p99 latency, tier M", "≤ 25 µs", us(m.gatehouse.decide.p99Ns), m.gatehouse.decide.p99Ns / 25_000));
  } else {
    out.push(missing("decisions/s on one core, tier M", "≥ 150,000/s", "tier M not run"));
    out.push(missing("p99 latency, tier M", "≤ 25 µs", "tier M not run"));
  }

  out.push(flatness(scaling.ranges, "ranges", [10, 100_000], 1.5, "the range curve did not reach 100k"));
  out.push(flatness(scaling.apps, "apps", [10, 10_000], 1.2, "the app curve did not reach 10k"));

  const opaTier = m ?? tiers[0];
  const loop = opaTier?.baselines.opaNative.loop;
  if (opaTier && loop && !isSkipped(loop)) {
    const gatehouseNs = 1e9 / opaTier.gatehouse.opaInputs.perSecond;
    const speedup = loop.nsPerDecision / gatehouseNs;
    out.push(
      judged(
        `faster than OPA's Go evaluator, same Rego, data and inputs (tier ${opaTier.spec.name})`,
        "> 1× (OPA time ÷ Gatehouse time)",
        `${us(loop.nsPerDecision)} ÷ ${us(gatehouseNs)} = ${times(speedup)}`,
        1 / speedup,
      ),
    );
  } else out.push(missing("faster than OPA's Go evaluator", "> 1×", "opa bench did not run"));

  const r100k = point(scaling.ranges, "ranges", 100_000);
  const naive = r100k?.naive;
  if (r100k && naive && !isSkipped(naive)) {
    const speedup = naive.p50Ns / r100k.gatehouse.p50Ns;
    out.push(
      judged(
        "faster than the naive Rego at 100k ranges (p50)",
        "≥ 100×",
        `${us(naive.p50Ns)} ÷ ${us(r100k.gatehouse.p50Ns)} = ${times(speedup)}`,
        100 / speedup,
      ),
    );
  } else
    out.push(
      missing(
        "faster than the naive Rego at 100k ranges (p50)",
        "≥ 100×",
        "the naive baseline did not run at 100k ranges",
      ),
    );

  if (l) {
    const cold = median(l.compile.coldMs);
    const warm = median(l.compile.warmMs);
    out.push(
      Number.isFinite(cold)
        ? judged(
            "compile of tier L, YAML → bundle (fresh `gatehouse build` process)",
            "≤ 5 s",
            Number.isFinite(warm) ? `${ms(cold)} (warm, in process: ${ms(warm)})` : ms(cold),
            cold / 5000,
          )
        : judged(
            "compile of tier L, YAML → bundle (first compile in the benchmark's process)",
            "≤ 5 s",
            ms(l.compile.first.total),
            l.compile.first.total / 5000,
            "no fresh-process compile in this run",
          ),
    );
    out.push(
      judged(
        "load of tier L, cold: first load in the process (read, unpack, verify, compile, instantiate, setData)",
        "≤ 250 ms",
        ms(l.load.totalMs),
        l.load.totalMs / 250,
        l.load.warmMs === undefined
          ? undefined
          : `the same revision loaded a third time in the process (load cache, verification included): ${ms(l.load.warmMs)}`,
      ),
    );
  } else {
    out.push(missing("compile of tier L", "≤ 5 s", "tier L not run"));
    out.push(missing("load of tier L", "≤ 250 ms", "tier L not run"));
  }

  const biggest = l ?? m ?? tiers[tiers.length - 1];
  if (biggest) {
    const ratio = biggest.memory.wasmMemoryBytes / biggest.memory.dataJsonBytes;
    out.push(
      judged(
        `WebAssembly memory ÷ data.json size (tier ${biggest.spec.name})`,
        "≤ 10×",
        `${(biggest.memory.wasmMemoryBytes / 2 ** 20).toFixed(1)} MiB ÷ ${(biggest.memory.dataJsonBytes / 2 ** 20).toFixed(1)} MiB = ${times(ratio)}`,
        ratio / 10,
      ),
    );
  }

  const s = tier("S");
  if (s) {
    const inOut = (t: TierResult): number =>
      1e9 / t.gatehouse.jsonInOut.perSecond / (1e9 / t.baselines.reference.perSecond);
    const gatehouseNs = 1e9 / s.gatehouse.jsonInOut.perSecond;
    const referenceNs = 1e9 / s.baselines.reference.perSecond;
    const others = tiers.filter((t) => t !== s).map((t) => `tier ${t.spec.name}: ${times(inOut(t))}`);
    out.push(
      judged(
        "JSON in → JSON out, Gatehouse ÷ TypeScript reference evaluator (tier S)",
        "≤ 2×",
        `${us(gatehouseNs)} ÷ ${us(referenceNs)} = ${times(inOut(s))}`,
        inOut(s) / 2,
        others.length > 0
          ? `judged on S, where the reference's scans over apps and ranges cost least; ${others.join(", ")}`
          : undefined,
      ),
    );
  } else out.push(missing("JSON in → JSON out, Gatehouse ÷ TypeScript reference evaluator", "≤ 2×", "tier S not run"));
  return out;
}
