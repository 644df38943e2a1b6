/**
 * How fast the CLI starts: wall time of `gatehouse --version`, `gatehouse version` and
 * `gatehouse check examples/quickstart`, each against `node -e 0` (the floor any Node CLI pays),
 * run alternately so that load on the machine affects all alike; median of N runs each.
 *
 *   npm run build && npx tsx bench/cli-startup.ts [runs, default 15]
 *
 * Targets: --version under 0.3 s and check of the quick start under 1 s. Results are recorded in
 * bench/results/cli-startup.md.
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../core/package-root.js";

const root = packageRoot();
const runs = Number(process.argv[2] ?? "15");
const cli = join(root, "bin", "gatehouse.js");
const cases: Record<string, readonly string[]> = {
  "node -e 0": ["-e", "0"],
  "gatehouse --version": [cli, "--version"],
  "gatehouse version": [cli, "version"],
  "gatehouse check examples/quickstart": [cli, "check", join(root, "examples", "quickstart")],
};

const times = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, args, { stdio: "ignore" });
    if (run.status !== 0) throw new Error(`${name} exited ${run.status}`);
    times.get(name)!.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const floor = median(times.get("node -e 0")!);
const lines = [
  `${runs} runs each, alternating; ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), Node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}`,
  "",
  "| command | median | ÷ `node -e 0` |",
  "| --- | ---: | ---: |",
  ...[...times].map(([name, values]) => {
    const m = median(values);
    return `| \`${name}\` | ${m.toFixed(0)} ms | ${(m / floor).toFixed(2)}× |`;
  }),
];
process.stdout.write(`${lines.join("\n")}\n`);
