import { count, mib, ms, ratio, table, us } from "./markdown-format.js";
import { isSkipped, type ScalingPoint, type TierResult } from "./results.js";
import { median } from "./targets.js";

/** The benchmark report's tables of costs: compile, load and memory, a decision's breakdown, scaling. */

/** Per tier: source size, compile times, load time by phase, and memory. */
export function compileRows(tiers: readonly TierResult[]): string[][] {
  return tiers.map((t) => {
    const f = t.compile.first;
    const l = t.load;
    return [
      t.spec.name,
      mib(t.sizes.sourceBytes),
      `${ms(f.total)} (${[f.load, f.validate, f.lower, f.emit, f.build].map((v) => v.toFixed(0)).join(" / ")})`,
      ms(median(t.compile.warmMs)),
      ms(median(t.compile.coldMs)),
      `${ms(l.totalMs)} (${[l.readMs, l.unpackMs, l.verifyMs, l.instantiateMs, l.setDataMs].map((v) => v.toFixed(1)).join(" / ")})`,
      l.warmMs === undefined ? "—" : ms(l.warmMs),
      `${mib(t.memory.wasmMemoryBytes)} (${(t.memory.wasmMemoryBytes / t.memory.dataJsonBytes).toFixed(1)}× data.json)`,
      isSkipped(t.memory.process)
        ? t.memory.process.skipped
        : `${mib(t.memory.process.baselineBytes)} → ${mib(t.memory.process.loadedBytes)}`,
    ];
  });
}

/** Where a decision's time goes: steps, rules evaluated alone, templates and address forms. */
export function breakdownSection(tiers: readonly TierResult[]): string[] {
  const out: string[] = [];
  const names = tiers.map((t) => t.spec.name);
  out.push(
    table(
      [
        "tier",
        "copy + JSON.stringify",
        "validate (ajv)",
        "opa_eval: write input, evaluate, decode",
        "JSON.parse(result)",
        "decide() total",
      ],
      tiers.map((t) => {
        const s = t.breakdown.steps;
        return "skipped" in s
          ? [t.spec.name, s.skipped, "", "", "", ""]
          : [t.spec.name, us(s.serializeNs), us(s.validateNs), us(s.evaluateNs), us(s.parseResultNs), us(s.decideNs)];
      }),
    ),
  );
  out.push(
    "Means on the stream's valid requests, each step timed alone (the runtime skips parsing the result for a plain allow it has seen before).",
    "",
  );
  const ruleNames = [...new Set(tiers.flatMap((t) => (isSkipped(t.rules) ? [] : t.rules.map((r) => r.rule))))];
  if (ruleNames.length > 0) {
    out.push(
      table(
        ["rule evaluated alone", ...names.map((n) => `mean, ${n}`)],
        ruleNames.map((rule) => [
          `\`${rule}\``,
          ...tiers.map((t) =>
            isSkipped(t.rules) ? "—" : us(t.rules.find((r) => r.rule === rule)?.meanNs ?? Number.NaN),
          ),
        ]),
      ),
    );
    out.push(
      "Each rule is an entry point of a second build of the same Rego and is evaluated alone through `opa_eval` on every request of the stream, so its time includes the rules it depends on (an undefined rule returns early).",
      "",
    );
  }
  const ids = Object.keys(tiers[0]?.breakdown.byTemplate ?? {});
  out.push(
    table(
      ["template", ...names.map((n) => `p50, ${n}`)],
      ids.map((id) => [id, ...tiers.map((t) => us(t.breakdown.byTemplate[id]?.p50Ns ?? Number.NaN))]),
    ),
  );
  out.push(
    table(
      ["allowed requests by address form", ...names.map((n) => `p50, ${n}`)],
      (["v4", "v6", "mapped"] as const).map((f) => [
        { v4: "IPv4", v6: "IPv6", mapped: "IPv4-mapped IPv6" }[f],
        ...tiers.map((t) => us(t.breakdown.byForm[f].p50Ns)),
      ]),
    ),
  );
  return out;
}

/** Latency against the number of ranges or apps, with the naive Rego beside it. */
export function scalingRows(points: readonly ScalingPoint[], field: "ranges" | "apps"): string[][] {
  const first = points[0]?.gatehouse.p50Ns ?? Number.NaN;
  return points.map((p) => {
    const naive = p.naive;
    const n = isSkipped(naive) ? undefined : naive;
    return [
      count(p.spec[field]),
      count(p.prefixes),
      mib(p.dataJsonBytes),
      us(p.gatehouse.p50Ns),
      us(p.gatehouse.p99Ns),
      ratio(p.gatehouse.p50Ns / first),
      n ? us(n.p50Ns) : isSkipped(naive) ? naive.skipped : "—",
      n ? ratio(n.p50Ns / p.gatehouse.p50Ns) : "—",
    ];
  });
}
