/** Nanoseconds as microseconds with two decimals. */
export function us(ns: number): string {
  return Number.isFinite(ns) ? `${(ns / 1000).toFixed(2)} µs` : "—";
}

/** A count with thousands separators. */
export function count(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—";
}

/** Bytes in MiB with one decimal, or in KiB below one MiB. */
export function mib(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
}

/** Milliseconds, whole. */
export function ms(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(0)} ms` : "—";
}

/** A ratio with two decimals (none from 100), as `n×`. */
export function ratio(v: number): string {
  return Number.isFinite(v) ? `${v >= 100 ? v.toFixed(0) : v.toFixed(2)}×` : "—";
}

/** A Markdown table; cells are escaped for pipes. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cell = (s: string): string => s.replace(/\|/g, "\\|");
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
    "",
  ].join("\n");
}
