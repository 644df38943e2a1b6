/**
 * What refusing an oversized request costs, against deciding an ordinary one: a request whose
 * field is 900 000 lone surrogates, and a request that is 2^20 lone surrogates, each refused
 * INPUT_INVALID by the 64 KiB request limit. Reported as the median time per call and as a ratio
 * to an ordinary decision on the same machine.
 *
 *   npx tsx bench/oversized-request.ts [directory of the runtime to measure, default ../wasm]
 *
 * Results are recorded in bench/results/oversized-request.md.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { findOpa, isOpaBinary } from "../compiler/build/index.js";
import { compile } from "../compiler/pipeline.js";
import type * as RuntimeModule from "../wasm/index.js";

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const root = resolve(import.meta.dirname, "..");
const runtimeDir = process.argv[2] ?? join(root, "wasm");
const runtime = (await import(pathToFileURL(join(runtimeDir, "index.ts")).href)) as typeof RuntimeModule;

const quickstart = join(root, "examples", "quickstart");
const opa = findOpa();
if (!isOpaBinary(opa)) throw new Error(opa.message);
const compilation = await compile(quickstart, { opa });
if (!compilation.built) throw new Error("quick-start build failed");
const authorizer = await runtime.Authorizer.load(compilation.built.bundle);
const valid = JSON.parse(readFileSync(join(quickstart, "requests.jsonl"), "utf8").split("\n")[0]!) as {
  user: Record<string, unknown>;
};

/** Median milliseconds of `runs` calls of `f`. */
function median(runs: number, f: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const field = { ...valid, user: { ...valid.user, id: "\ud800".repeat(900_000) } };
const whole = "\udc00".repeat(2 ** 20);
const base = median(2001, () => authorizer.decide(valid));
out("| request | outcome | median ms | × an ordinary decision |");
out("|---|---|---|---|");
out(`| ordinary | ${authorizer.decide(valid).allow ? "allow" : "deny"} | ${base.toFixed(4)} | 1 |`);
for (const [name, request] of [
  ["900 000 lone surrogates in a field", field],
  ["2^20 lone surrogates", whole],
] as const) {
  const ms = median(21, () => authorizer.decide(request));
  const code = authorizer.decide(request).reasons[0]?.code ?? "allow";
  out(`| ${name} | ${code} | ${ms.toFixed(4)} | ${(ms / base).toFixed(1)} |`);
}
