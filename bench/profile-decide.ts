/**
 * Where one decision's time goes: JSON serialization, request validation, the WebAssembly
 * evaluation and reading the result, measured separately on the quick-start bundle.
 * Run: npx tsx bench/profile-decide.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findOpa, isOpaBinary } from "../compiler/build/index.js";
import { compile } from "../compiler/pipeline.js";
import { packageRoot } from "../core/package-root.js";
import { snapshotRequest, validateRequest } from "../wasm/request-validator.js";
import { Authorizer } from "../wasm/index.js";

const dir = join(packageRoot(), "examples", "quickstart");
const opa = findOpa();
if (!isOpaBinary(opa)) throw new Error(opa.message);
const compilation = await compile(dir, { opa });
const authorizer = await Authorizer.load(compilation.built!.bundle);
const requests = readFileSync(join(dir, "requests.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as unknown);
const index = Number(process.argv[2] ?? 0);
const request = requests[index];
const json = JSON.stringify(request);
const check = (request: unknown): boolean => validateRequest(request);
const internals = authorizer as unknown as {
  run(entrypoint: number, json: string): string;
  entrypoint: number;
};

/** The best of seven timed rounds: on a shared machine the minimum is the least disturbed estimate. */
function time(label: string, f: () => unknown, n = 40_000): void {
  for (let i = 0; i < 20_000; i++) f();
  let ns = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 7; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    ns = Math.min(ns, Number(process.hrtime.bigint() - t0) / n);
  }
  process.stdout.write(`${label.padEnd(44)} ${(ns / 1000).toFixed(3).padStart(8)} µs\n`);
}

process.stdout.write(`request ${index}: ${json}\n`);
time("JSON.stringify(request)", () => JSON.stringify(request));
time("snapshotRequest(request)", () => snapshotRequest(request));
time("request schema check (ajv)", () => check(request));
const out = internals.run(internals.entrypoint, json);
time("opa_eval decision (+ decode)", () => internals.run(internals.entrypoint, json));
time("JSON.parse(result)", () => JSON.parse(out));
time("decide(request) total", () => authorizer.decide(request));
