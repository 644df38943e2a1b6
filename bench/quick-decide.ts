/**
 * A first, small benchmark: decisions per second for the quick-start bundle through the
 * WebAssembly runtime, against the floor of a JSON-in/JSON-out call in the same run (parse the
 * request, stringify a fixed decision). Run: npx tsx bench/quick-decide.ts
 * The full harness with tiers and baselines lives beside it (npm run bench).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findOpa, isOpaBinary } from "../compiler/build/index.js";
import { compile } from "../compiler/pipeline.js";
import { packageRoot } from "../core/package-root.js";
import { Authorizer } from "../wasm/index.js";

const dir = join(packageRoot(), "examples", "quickstart");
const opa = findOpa();
if (!isOpaBinary(opa)) throw new Error(opa.message);
const compilation = await compile(dir, { opa });
if (!compilation.built) throw new Error("quick-start build failed");
const authorizer = await Authorizer.load(compilation.built.bundle);
const requests = readFileSync(join(dir, "requests.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as unknown);
const texts = requests.map((r) => JSON.stringify(r));
const fixed = { allow: true, reasons: [], notes: [], revision: authorizer.revision };

/** The best of seven timed rounds: on a shared machine the minimum is the least disturbed estimate. */
function time(label: string, f: (i: number) => unknown, n = 40_000): number {
  for (let i = 0; i < 20_000; i++) f(i);
  let ns = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 7; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f(i);
    ns = Math.min(ns, Number(process.hrtime.bigint() - t0) / n);
  }
  process.stdout.write(
    `${label.padEnd(40)} ${(ns / 1000).toFixed(2).padStart(8)} µs/decision  ${Math.round(1e9 / ns)
      .toLocaleString("en-US")
      .padStart(10)}/s\n`,
  );
  return ns;
}

const floor = time("floor: JSON.parse + JSON.stringify", (i) =>
  JSON.stringify((JSON.parse(texts[i % texts.length]!), fixed)),
);
const decide = time("gatehouse decide(object)", (i) => authorizer.decide(requests[i % requests.length]));
const decideJson = time("gatehouse decideJson(text)", (i) => authorizer.decideJson(texts[i % texts.length]!));
process.stdout.write(
  `ratio to floor: decide ${(decide / floor).toFixed(1)}×, decideJson ${(decideJson / floor).toFixed(1)}×\n`,
);
