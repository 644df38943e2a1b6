/**
 * Load time of tier L, stage by stage, with wall and CPU time of each stage:
 *
 *   OPA_BIN=… npx tsx --expose-gc bench/load-breakdown.ts [--bundle PATH] [--save PATH]
 *     [--baseline DIR] [--rounds N]
 *
 * Without `--bundle`, tier L (with the provider feed, as bench/run.ts builds it) is generated and
 * compiled once; `--save` keeps that bundle for later runs. `--baseline` names another checkout
 * of Gatehouse (its sources and node_modules): its runtime is measured in the same run,
 * alternately with this one, so the two columns compare under the same machine load.
 *
 * Each of N rounds (default 5) measures, per checkout, the stages of a load one by one (read,
 * unpack, verify, memory pages, compile, instantiate, setData, the probe decision, the trial load
 * in a worker), then `Authorizer.load` as a whole: cold (the in-process cache cleared first, as
 * bench/harness/load.ts measures it), then the same revision a second and a third time while the
 * earlier ones are loaded (the load cache), and all three again with `loadTimeoutMs` (the trial
 * load in a worker, as ReloadingAuthorizer loads).
 * Medians. CPU time is the process's (every thread, the garbage collector and the trial worker
 * included), so on a shared machine CPU/wall shows how much of the wall time was this process's
 * own. Results are recorded in bench/results/load-breakdown.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { findOpa, isOpaBinary } from "../compiler/build/index.js";
import { compileTier } from "./harness/compile-tier.js";
import { benchFeed } from "./harness/feed.js";
import { Random } from "./harness/random.js";
import { median } from "./harness/targets.js";
import { TIERS } from "./harness/tiers.js";

const args = parseArgs({
  options: {
    bundle: { type: "string" },
    save: { type: "string" },
    baseline: { type: "string" },
    rounds: { type: "string", default: "5" },
  },
}).values;

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The runtime modules of one checkout, typed loosely: a baseline may predate this one's API. */
interface Runtime {
  readonly label: string;
  readonly bundle: {
    readBundleBytes(path: string): Promise<Uint8Array>;
    unpackBundle(bytes: Uint8Array): Promise<{ wasm: Uint8Array; data: Uint8Array; files: Map<string, Uint8Array> }>;
  };
  readonly archive: { readArchive(bytes: Uint8Array): Promise<unknown> };
  readonly verify: {
    verifyBundle(files: Map<string, Uint8Array>, v: undefined): Promise<{ ok: true } | { ok: false; error: Error }>;
  };
  readonly pages: { initialPages(wasm: Uint8Array, dataBytes: number, max: number): number };
  readonly trial: { trialLoad(input: Record<string, unknown>, timeoutMs: number): Promise<unknown> };
  readonly index: { Authorizer: { load(path: string, options?: object): Promise<unknown> } };
  /** Clears the in-process load cache; a no-op for a checkout without one. */
  readonly clear: () => void;
}

async function runtime(label: string, tree: string): Promise<Runtime> {
  const mod = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(tree, path)).href)) as T;
  let clear = (): void => {};
  try {
    clear = (await mod<{ clearLoadCache: () => void }>("wasm/load-cache.ts")).clearLoadCache;
  } catch {
    // A checkout without the load cache.
  }
  return {
    label,
    bundle: await mod("wasm/bundle.ts"),
    archive: await mod("core/bundle-archive.ts"),
    verify: await mod("wasm/verify.ts"),
    pages: await mod("wasm/memory-import.ts"),
    trial: await mod("wasm/trial-load.ts"),
    index: await mod("wasm/index.ts"),
    clear,
  };
}

type Sample = { wall: number; cpu: number };
const samples = new Map<string, Map<string, Sample[]>>();

/** Runs `step`, recording its wall and CPU time under `name` for the checkout `label`. */
async function timed<T>(label: string, name: string, step: () => T | Promise<T>): Promise<T> {
  const wall0 = performance.now();
  const cpu0 = cpuNow();
  const value = await step();
  const sample = { wall: performance.now() - wall0, cpu: cpuNow() - cpu0 };
  const byLabel = samples.get(name) ?? new Map<string, Sample[]>();
  byLabel.set(label, [...(byLabel.get(label) ?? []), sample]);
  samples.set(name, byLabel);
  return value;
}

/** One load, stage by stage, each stage done once (no cache). */
async function stages(rt: Runtime, path: string): Promise<void> {
  const t = <T>(name: string, step: () => T | Promise<T>): Promise<T> => timed(rt.label, name, step);
  const bytes = await t("read", () => rt.bundle.readBundleBytes(path));
  await t("unpack: gunzip + untar (readArchive)", () => rt.archive.readArchive(bytes));
  const bundle = await t("unpack: whole (unpackBundle)", () => rt.bundle.unpackBundle(bytes));
  await t("verify (unsigned bundle)", async () => {
    const verified = await rt.verify.verifyBundle(bundle.files, undefined);
    if (!verified.ok) throw verified.error;
  });
  const initial = await t("memory pages (read the import section)", () =>
    rt.pages.initialPages(bundle.wasm, bundle.data.byteLength, 16384),
  );
  const wasm = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<object> } }).WebAssembly;
  const module = await t("compile (WebAssembly.compile)", () => wasm.compile(bundle.wasm));
  const memory = { initial, maximum: 16384 };
  const policy = await t("instantiate (compiled module)", () =>
    loadPolicy(module as Parameters<typeof loadPolicy>[0], memory),
  );
  await t("setData (data.json parsed in the module)", () => policy.setData(bundle.data.slice().buffer));
  await t("probe decision", () => void policy.evaluate({}, "gatehouse/decision"));
  await t("trial load in a worker (the checkout's own trialLoad)", () =>
    rt.trial.trialLoad(
      { wasm: bundle.wasm, module, data: bundle.data, memory, entrypoint: "gatehouse/decision" },
      60_000,
    ),
  );
}

/** `Authorizer.load` as a whole: cold, then twice more while the earlier ones are loaded; then with a trial load. */
async function wholeLoads(rt: Runtime, path: string): Promise<void> {
  const t = <T>(name: string, step: () => T | Promise<T>): Promise<T> => timed(rt.label, name, step);
  for (const [suffix, options] of [
    ["", {}],
    [" with loadTimeoutMs (trial load in a worker)", { loadTimeoutMs: 60_000 }],
  ] as const) {
    rt.clear();
    gc();
    const first = await t(`Authorizer.load${suffix}: cold (cache cleared)`, () =>
      rt.index.Authorizer.load(path, options),
    );
    gc();
    const second = await t(`Authorizer.load${suffix}: second load (same revision, first still loaded)`, () =>
      rt.index.Authorizer.load(path, options),
    );
    gc();
    await t(`Authorizer.load${suffix}: third load (same revision, both still loaded)`, () =>
      rt.index.Authorizer.load(path, options),
    );
    void [first, second];
  }
  rt.clear();
}

async function bundlePath(): Promise<string> {
  if (args.bundle !== undefined) return args.bundle;
  const opa = findOpa();
  if (!isOpaBinary(opa)) throw new Error(`bench: ${opa.message}`);
  const compiled = await compileTier(TIERS.L, benchFeed(new Random(4242)), opa);
  compiled.dispose();
  const path = args.save ?? join(tmpdir(), `gatehouse-load-breakdown-${process.pid}.tar.gz`);
  writeFileSync(path, compiled.bundle);
  return path;
}

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const runtimes = [await runtime("this checkout", here)];
if (args.baseline !== undefined) runtimes.unshift(await runtime("baseline", resolve(args.baseline)));
const path = await bundlePath();
const rounds = Number(args.rounds);
for (let i = 0; i < rounds; i++) {
  for (const rt of runtimes) {
    gc();
    await stages(rt, path);
    await wholeLoads(rt, path);
  }
}

const fmt = (list: readonly Sample[] | undefined, key: keyof Sample): string =>
  list === undefined ? "–" : median(list.map((s) => s[key])).toFixed(1);
const bundle = await runtimes[0]!.bundle.unpackBundle(readFileSync(path));
const labels = runtimes.map((r) => r.label);
const out: string[] = [
  `bundle ${(readFileSync(path).byteLength / 2 ** 20).toFixed(2)} MiB (data.json ${(bundle.data.byteLength / 2 ** 20).toFixed(2)} MiB, policy.wasm ${(bundle.wasm.byteLength / 2 ** 20).toFixed(2)} MiB); ${rounds} rounds, medians, ms`,
  "",
  `| stage | ${labels.map((l) => `${l} wall | ${l} CPU`).join(" | ")}${labels.length > 1 ? " | wall ratio" : ""} |`,
  `| --- | ${labels.map(() => "---: | ---:").join(" | ")}${labels.length > 1 ? " | ---:" : ""} |`,
];
for (const [name, byLabel] of samples) {
  const cells = labels.map((l) => `${fmt(byLabel.get(l), "wall")} | ${fmt(byLabel.get(l), "cpu")}`);
  const walls = labels.map((l) => byLabel.get(l)).map((list) => (list ? median(list.map((s) => s.wall)) : NaN));
  const ratio = labels.length > 1 ? ` | ${(walls[1]! / walls[0]!).toFixed(2)}` : "";
  out.push(`| ${name} | ${cells.join(" | ")}${ratio} |`);
}
process.stdout.write(`${out.join("\n")}\n`);
