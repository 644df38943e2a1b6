import { describe, expect, it } from "vitest";
import type { HttpRun } from "../../bench/harness/http.js";
import type { LatencyStats } from "../../bench/harness/measure.js";
import type { Skipped, TargetResult, TierResult } from "../../bench/harness/results.js";
import { judgeTargets } from "../../bench/harness/targets.js";
import { TIERS } from "../../bench/harness/tiers.js";

function latency(meanNs: number, p50Ns = meanNs, p99Ns = meanNs * 2): LatencyStats {
  return { warmup: 0, count: 100, meanNs, p50Ns, p90Ns: p99Ns, p99Ns, p999Ns: p99Ns, maxNs: p99Ns, over1ms: 0 };
}

function http(perSecond: number, perCoreSecond?: number): HttpRun {
  return {
    concurrency: 16,
    requests: perSecond * 5,
    seconds: 5,
    perSecond,
    latency: latency(1e6),
    errors: 0,
    errorSamples: [],
    retried: 0,
    wrong: 0,
    ...(perCoreSecond === undefined ? {} : { serverCpuSeconds: (perSecond * 5) / perCoreSecond, perCoreSecond }),
  };
}

/** The fields of a tier result the targets read; the rest is left out. */
function tier(
  name: "M" | "L",
  parts: {
    mean?: number;
    floor?: number;
    cedar?: number | Skipped;
    p99?: number;
    opaSingle?: number;
    opaServer?: HttpRun;
    serve?: HttpRun;
  },
): TierResult {
  const throughput = { warmup: 0, count: 1, seconds: 1, perSecond: 100_000 };
  const cedar =
    typeof parts.cedar === "number"
      ? {
          version: "4",
          policies: 1,
          rangeTests: 1,
          prepareMs: 1,
          checked: 10,
          disagreements: 0,
          gatehouse: latency(parts.mean ?? 10_000),
          cedar: latency(parts.cedar),
        }
      : (parts.cedar ?? { skipped: "no Cedar" });
  const skipped = { skipped: "not run" };
  return {
    spec: TIERS[name],
    compile: { first: { total: 1000 }, warmMs: [1000], coldMs: [4000] },
    load: { totalMs: 100 },
    memory: { wasmMemoryBytes: 5, dataJsonBytes: 1 },
    gatehouse: {
      decide: latency(parts.mean ?? 10_000, parts.mean ?? 10_000, parts.p99 ?? 20_000),
      decideThroughput: throughput,
      jsonInOut: throughput,
      opaInputs: throughput,
    },
    baselines: {
      opaNative: {
        loop: skipped,
        single: parts.opaSingle === undefined ? skipped : { nsPerDecision: parts.opaSingle },
      },
      reference: throughput,
      http: {
        gatehouse: parts.serve ?? skipped,
        opa: parts.opaServer ?? skipped,
        opaTopdown: skipped,
        opaFloor: skipped,
        serverPinned: true,
      },
    },
    sideBySide:
      parts.floor === undefined
        ? skipped
        : { rounds: 1, gatehouse: latency(parts.mean ?? 10_000), floor: latency(parts.floor), cedar },
  } as unknown as TierResult;
}

function find(targets: readonly TargetResult[], start: string): TargetResult {
  const t = targets.find((x) => x.target.startsWith(start));
  if (!t) throw new Error(`no target starting with ${start}`);
  return t;
}

const noScaling = { ranges: [], apps: [] };

describe("bench: the engine v2 targets", () => {
  it("judges the floor ratio, p99 and Cedar on tier M", () => {
    const met = judgeTargets([tier("M", { mean: 9_000, floor: 3_000, cedar: 90_000, p99: 30_000 })], noScaling);
    expect(find(met, "tier M mean ÷ trivial-policy floor")).toMatchObject({ status: "met", ratio: 1 });
    expect(find(met, "p99 latency, tier M (engine v2)")).toMatchObject({ status: "met", ratio: 1 });
    expect(find(met, "faster than Cedar")).toMatchObject({ status: "met", ratio: 0.1 });
    const missed = judgeTargets([tier("M", { mean: 9_300, floor: 3_000, cedar: 9_000, p99: 31_000 })], noScaling);
    expect(find(missed, "tier M mean ÷ trivial-policy floor").status).toBe("missed");
    expect(find(missed, "p99 latency, tier M (engine v2)").status).toBe("missed");
    expect(find(missed, "faster than Cedar").status).toBe("missed");
  });

  it("says why a target was not measured", () => {
    const targets = judgeTargets(
      [tier("M", { floor: 3_000, cedar: { skipped: "Cedar disagreed with Gatehouse on 1 of 9" } })],
      noScaling,
    );
    expect(find(targets, "faster than Cedar")).toMatchObject({
      status: "not measured",
      note: "Cedar disagreed with Gatehouse on 1 of 9",
    });
    expect(find(targets, "`opa bench`, one prepared input, tier L")).toMatchObject({
      status: "not measured",
      note: "tier L not run",
    });
  });

  it("judges OPA's evaluator and server at tier L per core, against `gatehouse serve`", () => {
    const targets = judgeTargets(
      [tier("L", { opaSingle: 120_000, opaServer: http(2_000, 3_500), serve: http(5_000, 8_000) })],
      noScaling,
    );
    expect(find(targets, "`opa bench`, one prepared input, tier L")).toMatchObject({ status: "met", ratio: 0.8 });
    expect(find(targets, "`opa run --server` at tier L, requests/s per core")).toMatchObject({
      status: "met",
      measured: "3,500/s",
    });
    const slower = find(targets, "`opa run --server` ÷ `gatehouse serve`");
    expect(slower.status).toBe("missed");
    expect(slower.ratio).toBeCloseTo(8_000 / 3_500 / 2);
  });

  it("falls back to wall-clock requests/s when the server's CPU time was not read, and says so", () => {
    const targets = judgeTargets([tier("L", { opaServer: http(2_000), serve: http(3_000) })], noScaling);
    expect(find(targets, "`opa run --server` at tier L, requests/s per core")).toMatchObject({
      status: "missed",
      measured: "2,000/s",
      note: "wall-clock requests/s (server CPU time not read)",
    });
    expect(find(targets, "`opa run --server` ÷ `gatehouse serve`").status).toBe("met");
  });
});
