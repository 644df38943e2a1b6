/**
 * Compile time of tier L, this checkout against a baseline checkout, in one run:
 *
 *   npm run build && npx tsx bench/compile-tier-l.ts BASELINE [runs, default 3]
 *
 * BASELINE is another checkout of Gatehouse with its `dist/` built (`npx tsc -p
 * tsconfig.build.json`). Tier L (with the provider feed, see harness/feed.ts) is generated once
 * into a temporary directory. Each round runs, alternately for the baseline and this checkout:
 * a fresh `gatehouse build DIR -o OUT --no-types` process (wall time, and CPU time of the
 * process and its children, `opa` included), then a fresh process that measures the CPU time of
 * each stage in process (load, validate, lower, emit, build; garbage collection included) and,
 * apart, the CPU time of `opa build` alone, given the emitted Rego and manifest with data.json
 * (as the build stage did before it left data.json out) and without it, and of deflating the
 * bundle at levels 9 and 6.
 * Medians; on a shared machine CPU times and the ratios are what to compare. Results are recorded in bench/results/compile-tier-l.md.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import type * as BuildStage from "../compiler/build/index.js";
import type * as EmitStage from "../compiler/emit/index.js";
import type * as LoadStage from "../compiler/load/index.js";
import type * as LowerStage from "../compiler/lower/index.js";
import type * as ValidateStage from "../compiler/validate/index.js";
import { benchFeed } from "./harness/feed.js";
import { Random } from "./harness/random.js";
import { generateTier, TIERS } from "./harness/tiers.js";

interface Stages {
  load: number;
  validate: number;
  lower: number;
  emit: number;
  build: number;
  opaBuild: number;
  opaBuildNoData: number;
  gzip9: number;
  gzip6: number;
  bundleBytes: number;
}

const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), "..");
const opaPath = process.env.OPA_BIN ?? join(root, ".tools", "bin", "opa");

/** In a child process: the stages of one compile of `dir` with the compiler under `tree`. */
async function stagesOf(tree: string, dir: string): Promise<Stages> {
  const mod = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(tree, "dist", path)).href)) as T;
  const { load } = await mod<typeof LoadStage>("compiler/load/index.js");
  const { validate } = await mod<typeof ValidateStage>("compiler/validate/index.js");
  const { lower } = await mod<typeof LowerStage>("compiler/lower/index.js");
  const { emit } = await mod<typeof EmitStage>("compiler/emit/index.js");
  const build = await mod<typeof BuildStage>("compiler/build/index.js");
  const opa = build.findOpa({ env: { OPA_BIN: opaPath }, build: false });
  if (!build.isOpaBinary(opa)) throw new Error(`bench: no opa at ${opaPath}`);
  // CPU time of this process (all its threads, the garbage collector's included): on a shared
  // machine wall time mostly measures the other tenants.
  const cpuNow = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let t = cpuNow();
  const lap = (): number => {
    const now = cpuNow();
    const ms = now - t;
    t = now;
    return ms;
  };
  const sources = load({ dir }).value!;
  const loadMs = lap();
  const policy = validate(sources).value!;
  const validateMs = lap();
  const ir = lower(policy).value!;
  const lowerMs = lap();
  const emitted = emit(ir).value!;
  const emitMs = lap();
  const built = await build.build(emitted, opa);
  const buildMs = lap();
  if (!built.value) throw new Error("bench: build failed");
  return {
    load: loadMs,
    validate: validateMs,
    lower: lowerMs,
    emit: emitMs,
    build: buildMs,
    opaBuild: opaBuildMs(emitted, opa.path, build.capabilitiesPath(), true),
    opaBuildNoData: opaBuildMs(emitted, opa.path, build.capabilitiesPath(), false),
    ...deflateMs(built.value.bundle),
    bundleBytes: built.value.bundle.byteLength,
  };
}

/** `opa build` alone, with the build stage's arguments, on the emitted files (data.json only when `withData`). */
function opaBuildMs(
  emitted: { files: ReadonlyMap<string, string>; entrypoints: readonly string[] },
  opa: string,
  capabilities: string,
  withData: boolean,
): number {
  const work = mkdtempSync(join(tmpdir(), "gatehouse-bench-opa-"));
  try {
    for (const [path, content] of emitted.files) {
      if (path === "data.json" && !withData) continue;
      mkdirSync(dirname(join(work, "src", path)), { recursive: true });
      writeFileSync(join(work, "src", path), content);
    }
    const args = ["build", "-t", "wasm", "-b", ".", "-o", join(work, "out.tar.gz"), "--capabilities", capabilities];
    for (const e of emitted.entrypoints) args.push("-e", e);
    const run = spawnSync("/usr/bin/time", ["-f", "%U %S", opa, ...args], { cwd: join(work, "src"), encoding: "utf8" });
    if (run.status !== 0) throw new Error(`bench: opa build failed: ${run.stderr}`);
    return cpuOfTime(run.stderr);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function deflateMs(bundle: Uint8Array): { gzip9: number; gzip6: number } {
  const tar = gunzipSync(bundle);
  const time = (level: number): number => {
    const start = process.cpuUsage();
    gzipSync(tar, { level });
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  return { gzip9: time(9), gzip6: time(6) };
}

/** A fresh `gatehouse build` process: wall time, and CPU of it and its children (from `time`). */
function coldBuild(tree: string, dir: string): { wall: number; cpu: number } {
  const out = mkdtempSync(join(tmpdir(), "gatehouse-bench-out-"));
  try {
    const cli = join(tree, "bin", "gatehouse.js");
    const start = performance.now();
    const run = spawnSync(
      "/usr/bin/time",
      ["-f", "%U %S", process.execPath, cli, "build", dir, "-o", out, "--no-types"],
      { env: { ...process.env, OPA_BIN: opaPath }, encoding: "utf8" },
    );
    const wall = performance.now() - start;
    if (run.status !== 0) throw new Error(`bench: gatehouse build failed: ${run.stderr}`);
    return { wall, cpu: cpuOfTime(run.stderr) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** User plus system milliseconds from the last line `/usr/bin/time -f "%U %S"` wrote. */
function cpuOfTime(stderr: string): number {
  const [user, sys] = stderr.trim().split("\n").at(-1)!.split(" ").map(Number) as [number, number];
  return (user + sys) * 1000;
}

function stagesInChild(tree: string, dir: string): Stages {
  const run = spawnSync(process.execPath, ["--import", "tsx", self, "--stages", tree, dir], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`bench: stages failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Stages;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  if (process.argv[2] === "--stages") {
    process.stdout.write(`${JSON.stringify(await stagesOf(process.argv[3]!, process.argv[4]!))}\n`);
    return;
  }
  const baseline = resolve(process.argv[2] ?? "");
  const runs = Number(process.argv[3] ?? "3");
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-L-"));
  const loadAtStart = loadavg()[0]!;
  try {
    const generated = generateTier(TIERS.L, benchFeed(new Random(4242)));
    for (const [path, text] of generated.files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const trees = { baseline, "this checkout": root };
    const cold = new Map(Object.keys(trees).map((k) => [k, [] as Array<{ wall: number; cpu: number }>]));
    const stages = new Map(Object.keys(trees).map((k) => [k, [] as Stages[]]));
    for (let i = 0; i < runs; i++) {
      for (const [name, tree] of Object.entries(trees)) {
        cold.get(name)!.push(coldBuild(tree, dir));
        stages.get(name)!.push(stagesInChild(tree, dir));
      }
    }
    report(trees, cold, stages, runs, loadAtStart);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(
  trees: Record<string, string>,
  cold: Map<string, Array<{ wall: number; cpu: number }>>,
  stages: Map<string, Stages[]>,
  runs: number,
  loadAtStart: number,
): void {
  const names = Object.keys(trees);
  const [before, after] = names as [string, string];
  const row = (label: string, pick: (name: string) => number, unit = "ms"): string => {
    const [a, b] = [pick(before), pick(after)];
    const fmt = (v: number): string => (unit === "ms" ? `${v.toFixed(0)} ms` : `${v.toFixed(0)}`);
    return `| ${label} | ${fmt(a)} | ${fmt(b)} | ${(b / a).toFixed(2)}× |`;
  };
  const stage = (key: keyof Stages) => (name: string) => median(stages.get(name)!.map((s) => s[key]));
  const lines = [
    `${runs} rounds, alternating; ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), Node ${process.version}, load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end`,
    "",
    `| measure (median) | ${before === "baseline" ? "baseline" : before} | ${after} | ratio |`,
    "| --- | ---: | ---: | ---: |",
    row("`gatehouse build`, fresh process, wall", (n) => median(cold.get(n)!.map((c) => c.wall))),
    row("`gatehouse build`, CPU (process and children)", (n) => median(cold.get(n)!.map((c) => c.cpu))),
    row("CPU, stage load (read, parse YAML)", stage("load")),
    row("CPU, stage validate", stage("validate")),
    row("CPU, stage lower", stage("lower")),
    row("CPU, stage emit", stage("emit")),
    row("CPU, stage build in process (pack, deflate; `opa` runs apart)", stage("build")),
    row("CPU, `opa build` alone, given data.json", stage("opaBuild")),
    row("CPU, `opa build` alone, Rego and manifest only", stage("opaBuildNoData")),
    row("CPU, deflate of the bundle at level 9", stage("gzip9")),
    row("CPU, deflate of the bundle at level 6", stage("gzip6")),
    row("bundle bytes", stage("bundleBytes"), "bytes"),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
