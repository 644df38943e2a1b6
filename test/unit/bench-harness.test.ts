import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { table } from "../../bench/harness/markdown.js";
import { measureAsyncThroughput, percentile, summarize } from "../../bench/harness/measure.js";
import { Random } from "../../bench/harness/random.js";
import {
  buildStream,
  MAX_REQUEST_BYTES,
  POLICY_REASON_CODES,
  streamMix,
  TEMPLATES,
} from "../../bench/harness/stream.js";
import { decades, svgCharts, tickLabel } from "../../bench/harness/svg-chart.js";
import { generateTier, rangesPoint, SpanSet, TIERS } from "../../bench/harness/tiers.js";
import { referenceDecide } from "../reference/evaluator.js";
import { compileText } from "../helpers/compile-text.js";

describe("bench: percentiles", () => {
  it("uses the nearest rank: the smallest sample with at least q of all samples at or below it", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([0.5, 0.9, 0.99, 0.999, 1].map((q) => percentile(sorted, q))).toEqual([50, 90, 99, 100, 100]);
    expect(percentile([7], 0.999)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it("summarizes unsorted samples, counting those over 1 ms", () => {
    const stats = summarize([3000, 1000, 2_000_000, 2000], 10);
    expect(stats).toEqual({
      warmup: 10,
      count: 4,
      meanNs: 501_500,
      p50Ns: 2000,
      p90Ns: 2_000_000,
      p99Ns: 2_000_000,
      p999Ns: 2_000_000,
      maxNs: 2_000_000,
      over1ms: 1,
    });
  });
});

describe("bench: policy sets and request stream", () => {
  const tier = generateTier(TIERS.S, undefined);
  const compiled = compileText(Object.fromEntries(tier.files));

  it("generates a tier that compiles without a single diagnostic", () => {
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.policy!.apps.size).toBe(10);
    expect(new Set(tier.model.apps.map((a) => a.kind)).size).toBe(10);
  });

  it("is deterministic: the same seed gives the same files and the same stream", () => {
    const again = generateTier(TIERS.S, undefined);
    expect([...again.files]).toEqual([...tier.files]);
    const a = buildStream(tier.model, new Random(5), 200).map((r) => r.json);
    const b = buildStream(again.model, new Random(5), 200).map((r) => r.json);
    expect(b).toEqual(a);
  });

  it("draws every template, keeps every request under 1 KB, and records the mix", () => {
    const stream = buildStream(tier.model, new Random(9), 4096);
    const mix = streamMix(stream);
    expect(Object.values(mix.byTemplate).every((n) => n > 0)).toBe(true);
    expect(Object.values(mix.byTemplate).reduce((a, b) => a + b, 0)).toBe(4096);
    expect(mix.byForm.v4 + mix.byForm.v6 + mix.byForm.mapped).toBe(4096);
    expect(mix.byForm.mapped).toBeGreaterThan(0);
    expect(mix.reasonCodes).toEqual([...POLICY_REASON_CODES]);
    expect(mix.maxBytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(mix.allowed).toBe(stream.filter((r) => r.template.reasons.length === 0).length);
  });

  it("gives each template the decision it promises, by the reference evaluator", () => {
    const stream = buildStream(tier.model, new Random(13), 2048);
    const seen = new Set<string>();
    for (const r of stream) {
      const d = referenceDecide(compiled.policy!, JSON.parse(r.json));
      expect({ id: r.template.id, reasons: d.reasons.map((x) => x.code), notes: d.notes }).toEqual({
        id: r.template.id,
        reasons: r.template.reasons,
        notes: r.template.notes,
      });
      seen.add(r.template.id);
    }
    expect(seen.size).toBe(TEMPLATES.length);
  });

  it("generates disjoint ranges of every form, IPv6 among them", () => {
    const point = generateTier(rangesPoint(1000), undefined);
    const text = point.files.get("networks.yaml")!;
    expect(compileText(Object.fromEntries(point.files)).diagnostics).toEqual([]);
    expect(Object.values(point.model.rangeForms).reduce((a, b) => a + b, 0)).toBe(1000);
    expect(Object.keys(point.model.rangeForms).some((f) => f.startsWith("v6"))).toBe(true);
    expect(text).toContain("start:");
  });

  it("answers membership in merged intervals by binary search", () => {
    const set = new SpanSet([
      { first: 10n, last: 20n },
      { first: 21n, last: 25n },
      { first: 40n, last: 40n },
    ]);
    expect(set.spans).toEqual([
      { first: 10n, last: 25n },
      { first: 40n, last: 40n },
    ]);
    expect([9n, 10n, 25n, 26n, 40n, 41n].map((v) => set.has(v))).toEqual([false, true, true, false, true, false]);
    expect(set.overlapping(26n, 39n)).toBeUndefined();
    expect(set.overlapping(26n, 40n)).toEqual({ first: 40n, last: 40n });
  });
});

describe("bench: reports", () => {
  it("writes a Markdown table, escaping pipes in cells", () => {
    expect(table(["a", "b"], [["x|y", "1"]])).toBe("| a | b |\n| --- | --- |\n| x\\|y | 1 |\n");
  });

  it("labels logarithmic axes by decades", () => {
    expect(decades(12, 95_000)).toEqual([10, 100, 1000, 10_000, 100_000]);
    expect(decades(3, 4)).toEqual([1, 10]);
    expect([10, 1000, 100_000, 1_000_000, 0.5].map(tickLabel)).toEqual(["10", "1k", "100k", "1M", "0.5"]);
  });

  it("draws a well-formed standalone SVG with one line per series and escaped text", () => {
    const svg = svgCharts([
      {
        title: "p50 <of> ranges & apps",
        xLabel: "ranges",
        yLabel: "µs",
        series: [
          {
            name: "a",
            color: "#000",
            points: [
              [10, 5],
              [100, 6],
              [1000, 7],
            ],
          },
          {
            name: "b",
            color: "#f00",
            dashed: true,
            points: [
              [10, 50],
              [1000, 700],
            ],
          },
        ],
      },
    ]);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain("p50 &lt;of&gt; ranges &amp; apps");
    expect(svg).not.toContain("<script");
  });
});

describe("measureAsyncThroughput", () => {
  it("counts every call of every concurrent lane", async () => {
    let started = 0;
    const call = async (): Promise<number> => {
      started++;
      await new Promise((resolve) => setImmediate(resolve));
      return 3;
    };
    const t = await measureAsyncThroughput(call, { warmupCalls: 2, inFlight: 4, seconds: 0.05 });
    expect(t.warmup).toBe(6);
    expect(started).toBeGreaterThan(10);
    expect(t.count).toBe((started - 2) * 3);
  });
});
