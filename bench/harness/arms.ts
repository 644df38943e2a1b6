/** Two baselines of the benchmark: (a) the naive Rego through the same runtime, (c) HTTP on loopback. */
import type { OpaBinary } from "../../compiler/build/index.js";
import { Authorizer } from "../../wasm/index.js";
import type { CompiledTier } from "./compile-tier.js";
import {
  gatehouseServeAvailable,
  httpLoad,
  startGatehouseServe,
  startOpaServer,
  type DecisionServer,
  type HttpRun,
} from "./http.js";
import { pinProcess } from "./machine.js";
import { measureLatency, type Budget, type LatencyStats } from "./measure.js";
import { buildNaive, naivePolicy } from "./naive-rego.js";
import type { NaiveResult, Skipped, TierResult } from "./results.js";
import type { StreamRequest } from "./stream.js";

/** The naive baseline built and checked, ready to be timed. */
export interface NaiveArm {
  readonly info: Omit<NaiveResult, "latency">;
  readonly run: () => LatencyStats;
}

/** Builds the naive policy, checks it decides allow/deny as the stream expects (time-bounded), then times it. */
export async function naiveArm(
  opa: OpaBinary,
  compiled: CompiledTier,
  stream: readonly StreamRequest[],
  budget: Budget,
): Promise<NaiveArm | Skipped> {
  const naive = naivePolicy(compiled.policy, `naive-${compiled.spec.name}`);
  const t0 = performance.now();
  const built = buildNaive(naive, opa);
  const buildMs = performance.now() - t0;
  if ("error" in built) return { skipped: built.error };
  const authorizer = await Authorizer.load(built.bundle);
  let checked = 0;
  let disagreements = 0;
  const deadline = performance.now() + Math.max(2000, budget.maxSeconds * 250);
  for (const r of stream) {
    if (checked >= 512 || (checked >= 16 && performance.now() > deadline)) break;
    if (authorizer.decide(r.request).allow !== (r.template.reasons.length === 0)) disagreements++;
    checked++;
  }
  if (disagreements > 0)
    return {
      skipped: `the naive policy disagreed with the expected decision on ${disagreements} of ${checked} requests`,
    };
  const objects = stream.map((r) => r.request);
  return {
    info: {
      appRules: naive.appRules,
      profileRules: naive.profileRules,
      cidrs: naive.cidrs,
      buildMs,
      checked,
      disagreements,
    },
    run: () =>
      measureLatency((i) => authorizer.decide(objects[i % objects.length]), {
        ...budget,
        warmup: Math.min(budget.warmup, budget.count),
      }),
  };
}

/** How the HTTP arm runs: the same client, concurrency and duration against every server. */
export interface HttpArmOptions {
  readonly opa: OpaBinary;
  /** Pin the server to CPU 1 and the client to CPU 0. */
  readonly pin: boolean;
  readonly concurrency: number;
  readonly seconds: number;
}

/**
 * The same stream over loopback HTTP against `gatehouse serve`, `opa run --server` on the
 * bundle as built, `opa run --server` on its Rego and data alone (OPA's Go evaluator), and
 * `opa run --server` on the trivial-policy floor bundle (OPA's HTTP floor: every answer allows).
 */
export async function httpArm(
  bundlePath: string,
  regoBundlePath: string,
  floorBundlePath: string,
  stream: readonly StreamRequest[],
  options: HttpArmOptions,
): Promise<TierResult["baselines"]["http"]> {
  const { opa, pin: canPin } = options;
  const serverCpu = canPin ? 1 : undefined;
  const bodies = stream.map((r) => `{"input":${r.json}}`);
  const expect = stream.map((r) => r.template.reasons.length === 0);
  const run = async (
    start: () => Promise<DecisionServer>,
    expected: readonly boolean[] = expect,
  ): Promise<HttpRun | Skipped> => {
    let server: DecisionServer | undefined;
    try {
      server = await start();
      const s = server;
      const pin = canPin ? pinProcess(0) : undefined;
      try {
        return await httpLoad(s, bodies, expected, {
          concurrency: options.concurrency,
          seconds: options.seconds,
          warmupSeconds: Math.max(0.5, options.seconds / 5),
        });
      } finally {
        pin?.restore();
      }
    } catch (error) {
      return { skipped: (error as Error).message.split("\n")[0]! };
    } finally {
      await server?.stop();
    }
  };
  const gatehouse = gatehouseServeAvailable()
    ? await run(() => startGatehouseServe(bundlePath, serverCpu))
    : { skipped: "this build has no `gatehouse serve`" };
  const opaRun = await run(() => startOpaServer(opa, bundlePath, serverCpu));
  const opaTopdown = await run(() => startOpaServer(opa, regoBundlePath, serverCpu));
  const opaFloor = await run(
    () => startOpaServer(opa, floorBundlePath, serverCpu),
    expect.map(() => true),
  );
  return { gatehouse, opa: opaRun, opaTopdown, opaFloor, serverPinned: canPin };
}
