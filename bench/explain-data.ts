/**
 * What WebAssembly memory holds at tier L, this checkout against a baseline checkout, in one run:
 *
 *   npm run build && npx tsx --expose-gc bench/explain-data.ts BASELINE [rounds, default 5]
 *
 * BASELINE is another checkout of Gatehouse with its `dist/` built. Tier L (with the provider
 * feed) is generated once and built by each checkout's `gatehouse build`. Then, alternately for
 * both bundles, with this checkout's runtime: setData of the bundle's data.json into a fresh
 * instance (the step the explanation table no longer takes part in), reading the explanation
 * table into JavaScript (the step it takes part in instead), the memory the instance holds after
 * setData, and `Authorizer.load` as a whole. Medians; the ratios are what to compare.
 */
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { unpackBundle } from "../wasm/bundle.js";
import { EXPLAIN_FILE, readExplainTable } from "../wasm/explain.js";
import { Authorizer } from "../wasm/index.js";
import { initialPages } from "../wasm/memory-import.js";
import { benchFeed } from "./harness/feed.js";
import { Random } from "./harness/random.js";
import { median } from "./harness/targets.js";
import { generateTier, TIERS } from "./harness/tiers.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Builds `dir` with the `gatehouse` CLI of `tree`; the bundle's bytes. */
function build(tree: string, dir: string): Uint8Array {
  const out = mkdtempSync(join(tmpdir(), "gatehouse-bench-out-"));
  try {
    const run = spawnSync(
      process.execPath,
      [join(tree, "bin", "gatehouse.js"), "build", dir, "-o", out, "--no-types"],
      {
        encoding: "utf8",
      },
    );
    if (run.status !== 0) throw new Error(`bench: gatehouse build failed: ${run.stderr}`);
    return readFileSync(join(out, "bundle.tar.gz"));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

interface Round {
  readonly setDataMs: number;
  /** Reading and checking the explanation table (zero for a bundle without one). */
  readonly tableMs: number;
  readonly pages: number;
  readonly loadMs: number;
}

async function round(bytes: Uint8Array): Promise<Round> {
  const bundle = await unpackBundle(bytes);
  gc();
  const t = performance.now();
  readExplainTable(bundle.files, bundle.manifest.revision);
  const tableMs = performance.now() - t;
  const policy = await loadPolicy(bundle.wasm, {
    initial: initialPages(bundle.wasm, bundle.data.byteLength, 16384),
    maximum: 16384,
  });
  gc();
  const t0 = performance.now();
  policy.setData(bundle.data.slice().buffer);
  const setDataMs = performance.now() - t0;
  const pages = (policy as unknown as { mem: { buffer: ArrayBuffer } }).mem.buffer.byteLength / 65536;
  gc();
  const t1 = performance.now();
  await Authorizer.load(bytes);
  return { setDataMs, tableMs, pages, loadMs: performance.now() - t1 };
}

async function main(): Promise<void> {
  const baseline = resolve(process.argv[2] ?? "");
  const rounds = Number(process.argv[3] ?? "5");
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-L-"));
  const loadAtStart = loadavg()[0]!;
  try {
    for (const [path, text] of generateTier(TIERS.L, benchFeed(new Random(4242))).files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const trees = { baseline, "this checkout": root };
    const bundles = new Map(Object.entries(trees).map(([name, tree]) => [name, build(tree, dir)]));
    const results = new Map([...bundles.keys()].map((k) => [k, [] as Round[]]));
    for (let i = 0; i < rounds; i++) for (const [name, bytes] of bundles) results.get(name)!.push(await round(bytes));
    const files = new Map<string, { data: number; explain: number }>();
    for (const [name, bytes] of bundles) {
      const b = await unpackBundle(bytes);
      files.set(name, { data: b.data.byteLength, explain: b.files.get(EXPLAIN_FILE)?.byteLength ?? 0 });
    }
    const [before, after] = Object.keys(trees) as [string, string];
    const row = (label: string, pick: (name: string) => number, digits = 1): string => {
      const [a, b] = [pick(before), pick(after)];
      // A step the baseline does not take has no ratio.
      const ratio =
        files.get(before)!.explain === 0 && label.includes("explanation table") ? "—" : `${(b / a).toFixed(2)}×`;
      return `| ${label} | ${a.toFixed(digits)} | ${b.toFixed(digits)} | ${ratio} |`;
    };
    const med = (key: keyof Round) => (name: string) => median(results.get(name)!.map((r) => r[key]));
    const lines = [
      `${rounds} rounds, alternating; ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), Node ${process.version}, load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end`,
      "",
      `| tier L (median) | ${before} | ${after} | ratio |`,
      "| --- | ---: | ---: | ---: |",
      row("data.json, KB (loaded into WebAssembly memory)", (n) => files.get(n)!.data / 1000, 0),
      row("explanation table, KB (read into JavaScript)", (n) => files.get(n)!.explain / 1000, 0),
      row("setData, ms", med("setDataMs")),
      row("reading and checking the explanation table, ms", med("tableMs")),
      row("WebAssembly memory after setData, pages of 64 KiB", med("pages"), 0),
      row("`Authorizer.load`, ms", med("loadMs")),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
