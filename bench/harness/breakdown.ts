import { snapshotRequest, validateRequest } from "../../wasm/request-validator.js";
import type { Authorizer } from "../../wasm/index.js";
import { measureLatency, measureThroughput } from "./measure.js";
import type { AddressForm, StreamRequest } from "./stream.js";

/** Mean nanoseconds of each step of `decide(request)`, measured one step at a time on the stream. */
export interface DecideSteps {
  /** Copying the request's data and JSON.stringify. */
  readonly serializeNs: number;
  /** The runtime's own validator (ajv, precompiled). */
  readonly validateNs: number;
  /** `opa_eval` on the decision entry point (which validates again in Rego): writing the input, evaluating, decoding the result text. */
  readonly evaluateNs: number;
  /** JSON.parse of the result text (the runtime skips it for the plain allow it has seen before). */
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
  reserve?: (json: string) => void;
  entrypoint?: number;
}

function mean(fn: (i: number) => unknown, count: number, seconds: number): number {
  return 1e9 / measureThroughput(fn, { warmup: Math.min(2000, count), count, maxSeconds: seconds }).perSecond;
}

/**
 * Times each step of a decision on the valid requests of `stream` (the runtime copies and
 * serializes the request, validates it, evaluates the policy's entry point, parses the
 * result), and decide() per template and per address form. Reaches into the Authorizer's
 * private `run`; when a runtime does not have it, the steps are reported as skipped.
 */
export function breakdown(
  authorizer: Authorizer,
  stream: readonly StreamRequest[],
  options: { readonly count: number; readonly seconds: number },
): Breakdown {
  const valid = stream.filter((r) => validateRequest(r.request));
  const internals = authorizer as unknown as Internals;
  let steps: Breakdown["steps"];
  const entrypoint = internals.entrypoint;
  if (typeof internals.run === "function" && typeof internals.reserve === "function" && entrypoint !== undefined) {
    const run = internals.run.bind(authorizer);
    for (const r of valid) internals.reserve.call(authorizer, r.json);
    const results = valid.map((r) => run(entrypoint, r.json));
    const n = valid.length;
    steps = {
      serializeNs: mean((i) => JSON.stringify(snapshotRequest(valid[i % n]!.request)), options.count, options.seconds),
      validateNs: mean((i) => validateRequest(valid[i % n]!.request), options.count, options.seconds),
      evaluateNs: mean((i) => run(entrypoint, valid[i % n]!.json), options.count, options.seconds),
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
