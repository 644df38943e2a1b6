/**
 * Where a tier-M decision's time goes on the WebAssembly path, for plain allows and for denies
 * separately, next to the trivial-policy floor on the same requests: each host step of
 * `decide(request)` (copy and size checks with JSON.stringify, the ajv validator, parsing the
 * addresses, writing the input into memory, `opa_eval` with reading the result, JSON.parse of the
 * result) timed on its own, every arm interleaved with the others so the machine's load falls on
 * all alike; the best of many short rounds is the least disturbed estimate. Ratios to the floor's
 * `decide` in the same run are what to compare between runs.
 * Run: npx tsx bench/decide-breakdown.ts [--decisions N] [--rounds R]
 */
import { parseArgs } from "node:util";
import { findOpa, isOpaBinary } from "../compiler/build/index.js";
import { hostAddresses } from "../wasm/host-address.js";
import { certainlyLargerThan, snapshotRequest, validateRequest, wellFormedJson } from "../wasm/request-validator.js";
import { DECISION_ENTRYPOINT, RUNTIME_ENTRYPOINT } from "../wasm/authorizer.js";
import { Authorizer } from "../wasm/index.js";
import { compileTier } from "./harness/compile-tier.js";
import { buildFloorBundle } from "./harness/floor.js";
import type { AuthorizerInternals as Internals } from "./harness/internals.js";
import { Random } from "./harness/random.js";
import { buildStream, type StreamRequest } from "./harness/stream.js";
import { TIERS } from "./harness/tiers.js";

const { values } = parseArgs({
  options: { decisions: { type: "string", default: "200000" }, rounds: { type: "string", default: "20" } },
});
const decisions = Number(values.decisions);
const rounds = Number(values.rounds);

const opa = findOpa();
if (!isOpaBinary(opa)) throw new Error(opa.message);
const compiled = await compileTier(TIERS.M, undefined, opa);
const authorizer = await Authorizer.load(compiled.bundle);
const floor = await Authorizer.load(buildFloorBundle(opa));
const stream = buildStream(compiled.model, new Random(TIERS.M.seed * 7919 + 17), 8192);
compiled.dispose();

const internals = authorizer as unknown as Internals;
const floorInternals = floor as unknown as Internals;
const runtimeEntryId = internals.policy.entrypoints[RUNTIME_ENTRYPOINT];
const floorEntry = floorInternals.policy.entrypoints[DECISION_ENTRYPOINT]!;
if (runtimeEntryId === undefined) throw new Error("bench: the tier's bundle has no runtime entry point");
const runtimeEntry: number = runtimeEntryId;

const isPlainAllow = (r: StreamRequest): boolean => {
  const d = authorizer.decide(r.request);
  return d.allow && d.notes.length === 0;
};
const groups: Record<string, readonly StreamRequest[]> = {
  "plain allows": stream.filter(isPlainAllow),
  "everything else (denies, allows with notes)": stream.filter((r) => !isPlainAllow(r)),
  "whole stream": stream,
};

const encoder = new TextEncoder();
const scratch = new Uint8Array(4096);
const us = (ns: number): string => (ns / 1000).toFixed(2);

function report(name: string, group: readonly StreamRequest[]): void {
  const requests = group.map((r) => r.request);
  const jsons = group.map((r) => r.json);
  const inputs = group.map((r) => `${r.json.slice(0, -1)},${hostAddresses(r.request)!}}`);
  for (const j of inputs) internals.reserve(j);
  const results = inputs.map((j) => internals.run(runtimeEntry, j));
  const n = group.length;
  const steps: ReadonlyArray<readonly [string, (i: number) => unknown]> = [
    ["floor: decide(request)", (i) => floor.decide(requests[i % n])],
    ["decide(request)", (i) => authorizer.decide(requests[i % n])],
    [
      "snapshot + size bound + JSON.stringify",
      (i) => {
        const s = snapshotRequest(requests[i % n]);
        return certainlyLargerThan(s, 65536) ? 0 : wellFormedJson(JSON.stringify(s));
      },
    ],
    ["validateRequest (ajv)", (i) => validateRequest(requests[i % n])],
    ["hostAddresses + append", (i) => `${jsons[i % n]!.slice(0, -1)},${hostAddresses(requests[i % n])!}}`],
    ["encodeInto (write input)", (i) => encoder.encodeInto(inputs[i % n]!, scratch).written],
    ["run: runtime entry (write, opa_eval, read)", (i) => internals.run(runtimeEntry, inputs[i % n]!)],
    ["floor: run (write, opa_eval, read)", (i) => floorInternals.run(floorEntry, jsons[i % n]!)],
    ["JSON.parse(result)", (i) => JSON.parse(results[i % n]!) as unknown],
  ];
  const times = roundMeans(
    steps.map(([, f]) => f),
    rounds,
  );
  const floorBest = times[0]!.best;
  process.stdout.write(`\n### ${name}: ${n} requests of the stream\n\n`);
  process.stdout.write(
    "| step | best round µs | median round µs | best ÷ floor decide best |\n| --- | --- | --- | --- |\n",
  );
  steps.forEach(([label], k) => {
    const t = times[k]!;
    process.stdout.write(`| ${label} | ${us(t.best)} | ${us(t.median)} | ${(t.best / floorBest).toFixed(2)}× |\n`);
  });
}

/**
 * Each function's mean nanoseconds per call over `rounds` rounds of `perRound` calls, the
 * functions taking turns within every round: the best round (the least disturbed on a shared
 * machine) and the median one.
 */
function roundMeans(
  fns: ReadonlyArray<(i: number) => unknown>,
  rounds: number,
): Array<{ best: number; median: number }> {
  const perRound = Math.ceil(decisions / rounds);
  for (const f of fns) for (let i = 0; i < 20_000; i++) keep(f(i));
  const samples: number[][] = fns.map(() => []);
  for (let r = 0; r < rounds; r++)
    fns.forEach((f, k) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < perRound; i++) keep(f(r * perRound + i));
      samples[k]!.push(Number(process.hrtime.bigint() - t0) / perRound);
    });
  return samples.map((list) => {
    const sorted = list.sort((a, b) => a - b);
    return { best: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]! };
  });
}

let sink = 0;
/** Keeps results observable so the loops cannot be optimised away. */
function keep(value: unknown): void {
  if (value === sink) sink++;
}

process.stdout.write(
  `tier M, ${stream.length} stream requests, ${decisions} timed calls per step in ${rounds} interleaved rounds; best and median round means\n`,
);
for (const [name, group] of Object.entries(groups)) report(name, group);
if (sink === -1) process.stdout.write("\n");
