/** The README's chart: p50 and p99 against ranges and against apps, Gatehouse beside the naive Rego. */
import { isSkipped, type ScalingPoint } from "./results.js";
import { svgCharts } from "./svg-chart.js";

export function scalingChart(scaling: { ranges: readonly ScalingPoint[]; apps: readonly ScalingPoint[] }): string {
  const series = (points: readonly ScalingPoint[], field: "ranges" | "apps") => [
    {
      name: "Gatehouse p50",
      color: "#1f6feb",
      points: points.map((p) => [p.spec[field], p.gatehouse.p50Ns / 1000] as const),
    },
    {
      name: "Gatehouse p99",
      color: "#1f6feb",
      dashed: true,
      points: points.map((p) => [p.spec[field], p.gatehouse.p99Ns / 1000] as const),
    },
    {
      name: "naive Rego p50",
      color: "#d1242f",
      points: points.flatMap((p) => (isSkipped(p.naive) ? [] : [[p.spec[field], p.naive.p50Ns / 1000] as const])),
    },
    {
      name: "naive Rego p99",
      color: "#d1242f",
      dashed: true,
      points: points.flatMap((p) => (isSkipped(p.naive) ? [] : [[p.spec[field], p.naive.p99Ns / 1000] as const])),
    },
  ];
  return svgCharts([
    {
      title: "Latency against login IP ranges (10 apps)",
      xLabel: "ranges",
      yLabel: "µs per decision",
      series: series(scaling.ranges, "ranges"),
    },
    {
      title: "Latency against connected apps (10 ranges)",
      xLabel: "connected apps",
      yLabel: "µs per decision",
      series: series(scaling.apps, "apps"),
    },
  ]);
}
