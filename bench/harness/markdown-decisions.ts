import type { LatencyStats } from "./measure.js";
import { count, mib, ms, ratio, us } from "./markdown-format.js";
import { isSkipped, type TierResult } from "./results.js";

/** The benchmark report's tables of decisions: per tier, side by side, baselines, HTTP. */

/** A tier's login IP ranges, and whether the provider feed is added. */
function ranges(t: TierResult): string {
  return `${count(t.spec.ranges)}${t.spec.feed ? " + feed" : ""}`;
}

/** One row per tier: sizes, one-core decision rate and latency, batches and the worker pool. */
export function tierRows(tiers: readonly TierResult[]): string[][] {
  return tiers.map((t) => {
    const d = t.gatehouse.decide;
    const pool = t.baselines.pool;
    return [
      t.spec.name,
      count(t.spec.apps),
      count(t.spec.profiles),
      ranges(t),
      mib(t.sizes.dataJsonBytes),
      count(t.gatehouse.decideThroughput.perSecond),
      us(d.p50Ns),
      us(d.p90Ns),
      us(d.p99Ns),
      us(d.p999Ns),
      `${count(d.count)}`,
      count(t.gatehouse.decideMany.perSecond),
      pool.available
        ? `${count(pool.perSecond)} (${pool.workers} workers, ${pool.cpuCores.toFixed(2)} cores busy)`
        : `— (${pool.reason})`,
    ];
  });
}

/** A tier's baselines: naive Rego, OPA's Go evaluator, the reference evaluator and the JSON floor. */
export function baselineRows(t: TierResult): string[][] {
  const gatehouseMean = 1e9 / t.gatehouse.decideThroughput.perSecond;
  const rows: string[][] = [
    [
      "Gatehouse `decide(request)`",
      us(gatehouseMean),
      "1×",
      `mean of ${count(t.gatehouse.decideThroughput.count)} decisions`,
    ],
  ];
  const naive = t.baselines.naive;
  rows.push(
    isSkipped(naive)
      ? ["(a) naive Rego, same runtime", "—", "—", naive.skipped]
      : [
          "(a) naive Rego, same runtime",
          us(naive.latency.meanNs),
          ratio(naive.latency.meanNs / gatehouseMean),
          `p50 ${us(naive.latency.p50Ns)} (Gatehouse ${us(t.gatehouse.decide.p50Ns)}); ${count(naive.latency.count)} decisions; ${count(naive.appRules)} app rules, ${count(naive.cidrs)} CIDRs; agreed with the expected allow/deny on ${count(naive.checked - naive.disagreements)} of ${count(naive.checked)}`,
        ],
  );
  const onOpaInputs = 1e9 / t.gatehouse.opaInputs.perSecond;
  for (const [label, r] of [
    ["(b) OPA Go evaluator, loop", t.baselines.opaNative.loop],
    ["(b) OPA Go evaluator, one input", t.baselines.opaNative.single],
  ] as const) {
    rows.push(
      isSkipped(r)
        ? [label, "—", "—", r.skipped]
        : [
            label,
            us(r.nsPerDecision),
            ratio(r.nsPerDecision / onOpaInputs),
            `${r.what}; ${count(r.ops)} ops; ${r.allocsPerDecision.toFixed(0)} allocs/decision${r.pinned ? "; one core" : ""}; vs Gatehouse ${us(onOpaInputs)} on the same inputs`,
          ],
    );
  }
  const inOut = 1e9 / t.gatehouse.jsonInOut.perSecond;
  const reference = 1e9 / t.baselines.reference.perSecond;
  rows.push([
    "(d) reference evaluator, JSON in → JSON out",
    us(reference),
    ratio(inOut / reference),
    `Gatehouse JSON in → JSON out ${us(inOut)} ÷ this; ${count(t.baselines.reference.count)} decisions`,
  ]);
  rows.push([
    "JSON floor: parse request, stringify a fixed decision",
    us(1e9 / t.baselines.jsonFloor.perSecond),
    ratio(inOut / (1e9 / t.baselines.jsonFloor.perSecond)),
    "Gatehouse JSON in → JSON out ÷ this",
  ]);
  return rows;
}

/** Every HTTP server of every tier: throughput, per-core rate, latency, against `gatehouse serve`. */
export function httpRows(tiers: readonly TierResult[]): string[][] {
  const rows: string[][] = [];
  for (const t of tiers) {
    const h = t.baselines.http;
    for (const [label, run] of [
      ["gatehouse serve", h.gatehouse],
      ["opa run --server, the same bundle", h.opa],
      ["opa run --server, its Rego and data (topdown)", h.opaTopdown],
      ["opa run --server, trivial-policy floor (HTTP floor)", h.opaFloor],
    ] as const) {
      if (run === undefined) continue;
      if (isSkipped(run)) {
        rows.push([t.spec.name, label, "—", "—", "—", "—", "—", run.skipped]);
        continue;
      }
      const vs = isSkipped(h.gatehouse) ? "—" : ratio(h.gatehouse.perSecond / run.perSecond);
      rows.push([
        t.spec.name,
        label,
        count(run.perSecond),
        run.perCoreSecond === undefined
          ? "—"
          : `${count(run.perCoreSecond)} (${run.serverCpuSeconds!.toFixed(1)} CPU s)`,
        us(run.latency.p50Ns),
        us(run.latency.p99Ns),
        vs,
        `${run.concurrency} connections, ${count(run.requests)} requests, ${run.errors} errors, ${run.wrong} wrong${run.retried > 0 ? `, ${run.retried} resent after a keep-alive reset` : ""}${h.serverPinned ? "; server on core 1, client on core 0" : ""}`,
      ]);
    }
  }
  return rows;
}

/** Gatehouse beside the trivial-policy floor and Cedar, timed in one process on the same requests. */
export function sideBySideRows(tiers: readonly TierResult[]): string[][] {
  const rows: string[][] = [];
  const line = (t: TierResult, arm: string, l: LatencyStats, r: string, what: string): string[] => [
    t.spec.name,
    arm,
    us(l.meanNs),
    us(l.p50Ns),
    us(l.p99Ns),
    count(l.count),
    r,
    what,
  ];
  for (const t of tiers) {
    const a = t.sideBySide;
    if (isSkipped(a)) {
      rows.push([t.spec.name, "—", "—", "—", "—", "—", "—", a.skipped]);
      continue;
    }
    rows.push(line(t, "Gatehouse `decide(request)`", a.gatehouse, "1×", "every stream request"));
    rows.push(
      line(
        t,
        "trivial-policy floor, same runtime",
        a.floor,
        `Gatehouse ÷ floor = ${ratio(a.gatehouse.meanNs / a.floor.meanNs)}`,
        "the same requests",
      ),
    );
    const c = a.cedar;
    if (isSkipped(c)) {
      rows.push([t.spec.name, "Cedar", "—", "—", "—", "—", "—", c.skipped]);
      continue;
    }
    rows.push(line(t, "Gatehouse, core requests", c.gatehouse, "1×", `the stream's ${count(c.checked)} core requests`));
    rows.push(
      line(
        t,
        `Cedar ${c.version}, equivalent policy`,
        c.cedar,
        `Cedar ÷ Gatehouse = ${ratio(c.cedar.meanNs / c.gatehouse.meanNs)}`,
        `${count(c.policies)} policies, ${count(c.rangeTests)} isInRange tests, parsed in ${ms(c.prepareMs)}; ` +
          `agreed on ${count(c.checked - c.disagreements)} of ${count(c.checked)}`,
      ),
    );
  }
  return rows;
}
