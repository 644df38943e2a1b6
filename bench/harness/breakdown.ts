import { requestCheck } from "../../wasm/request-validator.js";
import type { Authorizer } from "../../wasm/index.js";
import { measureLatency, measureThroughput } from "./measure.js";
import type { AddressForm, StreamRequest } from "./stream.js";

/** Mean nanoseconds of each step of `decide(request)`, measured one step at a time on the stream. */
export interface DecideSteps {
  readonly stringifyNs: number;
  readonly validateNs: number;
  /** `opa_eval` on the engine entry point, writing the input and decoding the result text. */
  readonly evaluateNs: number;
  readonly parseResultNs: number;
  readonly decideNs: number;
}

/** Where a decision's time goes on one tier: its steps, and its latency per template and per address form. */
export interface Breakdown {
  readonly steps: DecideSteps | { readonly skipped: string };
  readonly byTemplate: Readonly<
    Record<string, { readonly p50Ns: number; readonly meanNs: number; readonly count: number }>
  >;
  readonly byForm: Readonly<
    Record<AddressForm, { readonly p50Ns: number; readonly meanNs: number; readonly count: number }>
  >;
}

/** The Authorizer's private evaluation step, as bench/profile-decide.ts reaches it. */
interface Internals {
  run?: (entrypoint: number, json: string) => string;
  entry?: { engine: number; full: number };
}

function mean(fn: (i: number) => unknown, count: number, seconds: number): number {
  return 1e9 / measureThroughput(fn, { warmup: Math.min(2000, count), count, maxSeconds: seconds }).perSecond;
}

/**
 * Times each step of a decision on the valid requests of `stream` (the runtime validates,
 * then evaluates the engine entry point, then parses the result), and decide() per template
 * and per address form. Reaches into the Authorizer's private `run`; when a runtime does not
 * have it, the steps are reported as skipped.
 */
export function breakdown(
  authorizer: Authorizer,
  stream: readonly StreamRequest[],
  options: { readonly count: number; readonly seconds: number },
): Breakdown {
  const check = requestCheck();
  const valid = stream.filter((r) => check(r.request));
  const internals = authorizer as unknown as Internals;
  let steps: Breakdown["steps"];
  if (typeof internals.run === "function" && internals.entry) {
    const run = internals.run.bind(authorizer);
    const engine = internals.entry.engine;
    const results = valid.map((r) => run(engine, r.json));
    const n = valid.length;
    steps = {
      stringifyNs: mean((i) => JSON.stringify(valid[i % n]!.request), options.count, options.seconds),
      validateNs: mean((i) => check(valid[i % n]!.request), options.count, options.seconds),
      evaluateNs: mean((i) => run(engine, valid[i % n]!.json), options.count, options.seconds),
      parseResultNs: mean((i) => JSON.parse(results[i % n]!) as unknown, options.count, options.seconds),
      decideNs: mean((i) => authorizer.decide(valid[i % n]!.request), options.count, options.seconds),
    };
  } else steps = { skipped: "this runtime has no private `run` step to time" };

  const latencyOf = (group: readonly StreamRequest[]): { p50Ns: number; meanNs: number; count: number } => {
    const stats = measureLatency((i) => authorizer.decide(group[i % group.length]!.request), {
      warmup: Math.min(1000, options.count),
      count: Math.max(100, Math.floor(options.count / 10)),
      maxSeconds: options.seconds / 10,
    });
    return { p50Ns: stats.p50Ns, meanNs: stats.meanNs, count: stats.count };
  };
  const byTemplate: Record<string, { p50Ns: number; meanNs: number; count: number }> = {};
  for (const id of [...new Set(stream.map((r) => r.template.id))])
    byTemplate[id] = latencyOf(stream.filter((r) => r.template.id === id));
  const allowed = stream.filter((r) => r.template.reasons.length === 0);
  const byForm = Object.fromEntries(
    (["v4", "v6", "mapped"] as const).map((form) => [form, latencyOf(allowed.filter((r) => r.form === form))]),
  ) as Breakdown["byForm"];
  return { steps, byTemplate, byForm };
}
