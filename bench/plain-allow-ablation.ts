/**
 * What each expression of the runtime entry's plain allow costs in WebAssembly at tier M: the
 * tier's policy is rebuilt with the plain-allow body cut after its first k expressions (k = 1 …
 * all), and `opa_eval` on the stream's plain allows is timed against the floor's, interleaved.
 * The difference between consecutive cuts is what that expression adds. The cut policies are for
 * timing only (a cut body allows more); nothing here is a bundle to ship.
 * Run: npx tsx bench/plain-allow-ablation.ts
 */
import { build, findOpa, isOpaBinary } from "../compiler/build/index.js";
import { DECISION_ENTRYPOINT, RUNTIME_ENTRYPOINT } from "../wasm/authorizer.js";
import { hostAddresses } from "../wasm/host-address.js";
import { Authorizer } from "../wasm/index.js";
import { compileTier } from "./harness/compile-tier.js";
import { buildFloorBundle } from "./harness/floor.js";
import type { AuthorizerInternals as Internals } from "./harness/internals.js";
import { measureInterleaved } from "./harness/measure.js";
import { Random } from "./harness/random.js";
import { buildStream } from "./harness/stream.js";
import { TIERS } from "./harness/tiers.js";

const opa = findOpa();
if (!isOpaBinary(opa)) throw new Error(opa.message);
const compiled = await compileTier(TIERS.M, undefined, opa);
const full = await Authorizer.load(compiled.bundle);
const floor = (await Authorizer.load(buildFloorBundle(opa))) as unknown as Internals;
const floorEntry = floor.policy.entrypoints[DECISION_ENTRYPOINT]!;
const stream = buildStream(compiled.model, new Random(TIERS.M.seed * 7919 + 17), 8192).filter((r) => {
  const d = full.decide(r.request);
  return d.allow && d.notes.length === 0;
});
const inputs = stream.map((r) => `${r.json.slice(0, -1)},${hostAddresses(r.request)!}}`);
const jsons = stream.map((r) => r.json);
const n = stream.length;

const path = [...compiled.emitted.files.keys()].find((p) => p.endsWith("runtime.rego"))!;
const original = compiled.emitted.files.get(path)!;
const start = original.indexOf("decision := 1 if {");
const end = original.indexOf("\n}\n", start) + 3;
const body = original
  .slice(start, end)
  .split("\n")
  .filter((line) => /^\t[^\t#]/.test(line));

const us = (ns: number): string => (ns / 1000).toFixed(2);
process.stdout.write(`tier M, ${n} plain allows; opa_eval p50 (µs), the cut policy against the floor\n\n`);
process.stdout.write(
  "| first k expressions | last expression | p50 | floor p50 | difference |\n| --- | --- | --- | --- | --- |\n",
);
for (let k = 1; k <= body.length; k++) {
  const cut = `decision := 1 if {\n${body.slice(0, k).join("\n")}\n}\n`;
  const files = new Map(compiled.emitted.files);
  files.set(path, original.slice(0, start) + cut + original.slice(end));
  const built = await build({ ...compiled.emitted, files }, opa);
  if (!built.value) throw new Error(built.diagnostics.map((d) => d.message).join("; "));
  const policy = (await Authorizer.load(built.value.bundle)) as unknown as Internals;
  const entry = policy.policy.entrypoints[RUNTIME_ENTRYPOINT]!;
  for (const input of inputs) policy.reserve(input);
  const [cutStats, floorStats] = measureInterleaved(
    [(i) => policy.run(entry, inputs[i % n]!), (i) => floor.run(floorEntry, jsons[i % n]!)],
    { warmup: 10_000, count: 30_000, maxSeconds: 20 },
    6,
  );
  process.stdout.write(
    `| ${k} | \`${body[k - 1]!.trim()}\` | ${us(cutStats!.p50Ns)} | ${us(floorStats!.p50Ns)} | ${us(cutStats!.p50Ns - floorStats!.p50Ns)} |\n`,
  );
}
compiled.dispose();
