/** One line of a chart: points (x, y), drawn in `color`, dashed when `dashed`. */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

/** A chart with logarithmic axes (both quantities span decades). */
export interface Chart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
}

const WIDTH = 460;
const HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 36, bottom: 76 };

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Round number formatting for tick labels: 10, 100, 1k, 10k, 100k, 1M; 0.1 … for small values. */
export function tickLabel(value: number): string {
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e3) return `${value / 1e3}k`;
  return String(Number(value.toPrecision(3)));
}

/** The powers of ten spanning [min, max], widened to whole decades. */
export function decades(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const out: number[] = [];
  for (let e = lo; e <= Math.max(hi, lo + 1); e++) out.push(10 ** e);
  return out;
}

function panel(chart: Chart, offsetX: number): string {
  const points = chart.series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  if (points.length === 0) return "";
  const xTicks = decades(Math.min(...points.map((p) => p[0])), Math.max(...points.map((p) => p[0])));
  const yTicks = decades(Math.min(...points.map((p) => p[1])), Math.max(...points.map((p) => p[1])));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const lx = (v: number): number => Math.log10(v);
  const x0 = lx(xTicks[0]!);
  const x1 = lx(xTicks[xTicks.length - 1]!);
  const y0 = lx(yTicks[0]!);
  const y1 = lx(yTicks[yTicks.length - 1]!);
  const sx = (v: number): number => offsetX + MARGIN.left + ((lx(v) - x0) / (x1 - x0)) * plotW;
  const sy = (v: number): number => MARGIN.top + plotH - ((lx(v) - y0) / (y1 - y0)) * plotH;
  const f = (n: number): string => n.toFixed(1);
  const out: string[] = [];
  out.push(
    `<text x="${f(offsetX + WIDTH / 2)}" y="20" text-anchor="middle" font-weight="bold">${escape(chart.title)}</text>`,
  );
  for (const t of yTicks) {
    out.push(
      `<line x1="${f(sx(xTicks[0]!))}" y1="${f(sy(t))}" x2="${f(sx(xTicks[xTicks.length - 1]!))}" y2="${f(sy(t))}" stroke="#ddd"/>`,
      `<text x="${f(offsetX + MARGIN.left - 6)}" y="${f(sy(t) + 4)}" text-anchor="end">${tickLabel(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    out.push(
      `<line x1="${f(sx(t))}" y1="${f(sy(yTicks[0]!))}" x2="${f(sx(t))}" y2="${f(sy(yTicks[yTicks.length - 1]!))}" stroke="#ddd"/>`,
      `<text x="${f(sx(t))}" y="${f(MARGIN.top + plotH + 16)}" text-anchor="middle">${tickLabel(t)}</text>`,
    );
  }
  out.push(
    `<text x="${f(offsetX + MARGIN.left + plotW / 2)}" y="${f(MARGIN.top + plotH + 34)}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(${f(offsetX + 16)},${f(MARGIN.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => x > 0 && y > 0);
    const dash = s.dashed ? ` stroke-dasharray="5 3"` : "";
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(" ")}"/>`,
      ...pts.map(([x, y]) => `<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="3" fill="${s.color}"/>`),
    );
    const col = i % 2;
    const row = Math.floor(i / 2);
    const lxPos = offsetX + MARGIN.left + col * (plotW / 2);
    const lyPos = MARGIN.top + plotH + 50 + row * 14;
    out.push(
      `<line x1="${f(lxPos)}" y1="${f(lyPos - 4)}" x2="${f(lxPos + 18)}" y2="${f(lyPos - 4)}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${f(lxPos + 22)}" y="${f(lyPos)}">${escape(s.name)}</text>`,
    );
  });
  return out.join("\n");
}

/** Charts side by side in one standalone SVG document (no scripts, no external resources). */
export function svgCharts(charts: readonly Chart[]): string {
  const width = WIDTH * charts.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${HEIGHT}" fill="#fff"/>`,
    ...charts.map((c, i) => panel(c, i * WIDTH)),
    "</svg>",
    "",
  ].join("\n");
}
