import type { Breakdown } from "./breakdown.js";
import type { StageTimes } from "./compile-tier.js";
import type { HttpRun } from "./http.js";
import type { MachineInfo } from "./machine.js";
import type { LatencyStats, Throughput } from "./measure.js";
import type { OpaBenchResult } from "./opa-native.js";
import type { PoolRun } from "./pool.js";
import type { RuleCost } from "./rego-profile.js";
import type { ProcessRss } from "./rss.js";
import type { StreamMix } from "./stream.js";
import type { TierSpec } from "./tiers.js";

/** An arm that was not run, and why. */
export interface Skipped {
  readonly skipped: string;
}

/** Load time of a bundle, split into its steps (medians of several loads, ms). */
export interface LoadTimes {
  readonly loads: number;
  /**
   * `Authorizer.load(path)`, cold: the first load of the bundle in the process (the in-process
   * load cache cleared first): everything below plus the probe decision.
   */
  readonly totalMs: number;
  /**
   * `Authorizer.load(path)` of the same revision a third time while the earlier ones are loaded:
   * the load cache's compiled module and memory snapshot (verification included); absent in
   * results that predate it.
   */
  readonly warmMs?: number;
  readonly readMs: number;
  readonly unpackMs: number;
  readonly verifyMs: number;
  readonly instantiateMs: number;
  readonly setDataMs: number;
}

/** Memory of a loaded bundle. */
export interface MemoryResult {
  readonly dataJsonBytes: number;
  readonly wasmMemoryBytes: number;
  /** RSS of a fresh Node process before and after loading the bundle. */
  readonly process: ProcessRss | Skipped;
}

/** The naive Rego baseline on one policy set. */
export interface NaiveResult {
  readonly appRules: number;
  readonly profileRules: number;
  readonly cidrs: number;
  readonly buildMs: number;
  /** Stream requests decided by both before timing, and how many disagreed on allow. */
  readonly checked: number;
  readonly disagreements: number;
  readonly latency: LatencyStats;
}

/** Everything measured on one tier. */
export interface TierResult {
  readonly spec: TierSpec;
  readonly sizes: {
    readonly sourceBytes: number;
    readonly dataJsonBytes: number;
    readonly bundleBytes: number;
    readonly addressSets: number;
    readonly prefixes: number;
  };
  readonly compile: {
    /** Stage times of the first compile in this process. */
    readonly first: StageTimes;
    /** In-process `compile()` after an earlier one (JIT and file cache warm), ms. */
    readonly warmMs: readonly number[];
    /** A fresh `gatehouse build` process, wall clock, ms. */
    readonly coldMs: readonly number[];
  };
  readonly load: LoadTimes;
  readonly memory: MemoryResult;
  readonly stream: StreamMix & { readonly rangeForms: Readonly<Record<string, number>> };
  /** Whether the single-core loops ran pinned to one CPU. */
  readonly pinned: boolean;
  readonly gatehouse: {
    readonly decide: LatencyStats;
    readonly decideThroughput: Throughput;
    readonly decideJson: LatencyStats;
    readonly jsonInOut: Throughput;
    readonly decideMany: Throughput & { readonly batch: number };
    /** decide() on the requests fed to `opa bench`, for the ratio on the same inputs. */
    readonly opaInputs: Throughput;
  };
  /** Where a decision's time goes. */
  readonly breakdown: Breakdown;
  /** The main rules of the generated Rego, each evaluated alone on the stream. */
  readonly rules: readonly RuleCost[] | Skipped;
  readonly baselines: {
    readonly naive: NaiveResult | Skipped;
    readonly opaNative: { readonly loop: OpaBenchResult | Skipped; readonly single: OpaBenchResult | Skipped };
    readonly reference: Throughput;
    readonly jsonFloor: Throughput;
    readonly http: {
      readonly gatehouse: HttpRun | Skipped;
      /** `opa run --server` on the bundle as built (with policy.wasm). */
      readonly opa: HttpRun | Skipped;
      /** `opa run --server` on the same Rego and data without policy.wasm: OPA's Go evaluator. */
      readonly opaTopdown: HttpRun | Skipped;
      /** `opa run --server` on the trivial-policy floor bundle: OPA's HTTP floor. */
      readonly opaFloor: HttpRun | Skipped;
      readonly serverPinned: boolean;
    };
    readonly pool: PoolRun;
  };
  /** The issue-15 arms, timed side by side on the same requests in interleaved rounds. */
  readonly sideBySide: SideBySide | Skipped;
}

/** Gatehouse against the trivial-policy floor (whole stream) and against Cedar (the core of the stream). */
export interface SideBySide {
  readonly rounds: number;
  /** `decide(request)` on the tier's bundle, every stream request. */
  readonly gatehouse: LatencyStats;
  /** `decide(request)` on the trivial-policy floor bundle, the same requests. */
  readonly floor: LatencyStats;
  readonly cedar: CedarResult | Skipped;
}

/** The Cedar arm on the core of the stream (allowlist, assignment, login IP ranges). */
export interface CedarResult {
  readonly version: string;
  readonly policies: number;
  readonly rangeTests: number;
  readonly prepareMs: number;
  /** Core stream requests decided by both before timing, and how many disagreed on allow. */
  readonly checked: number;
  readonly disagreements: number;
  /** Gatehouse `decide(request)` on the core requests. */
  readonly gatehouse: LatencyStats;
  /** Cedar's `statefulIsAuthorized` (with the request's entities built) on the same requests. */
  readonly cedar: LatencyStats;
}

/** One point of a scaling curve. */
export interface ScalingPoint {
  readonly spec: TierSpec;
  readonly dataJsonBytes: number;
  readonly prefixes: number;
  readonly gatehouse: LatencyStats;
  readonly naive: LatencyStats | Skipped;
}

/** A target of the issue, and how this run did against it. */
export interface TargetResult {
  readonly target: string;
  readonly goal: string;
  readonly measured: string;
  /** The measured quantity over its goal, oriented so that ≤ 1 means met (NaN when not measured). */
  readonly ratio: number;
  readonly status: "met" | "missed" | "not measured";
  readonly note?: string;
}

/** A complete run. */
export interface BenchResults {
  readonly kind: "gatehouse-bench";
  readonly version: 1;
  readonly mode: "full" | "quick";
  readonly machine: MachineInfo;
  readonly feed: {
    readonly origin: "file" | "generated";
    readonly path: string | null;
    readonly v4: number;
    readonly v6: number;
  };
  readonly budgets: Readonly<Record<string, number>>;
  readonly tiers: readonly TierResult[];
  readonly scaling: { readonly ranges: readonly ScalingPoint[]; readonly apps: readonly ScalingPoint[] };
  readonly targets: readonly TargetResult[];
  readonly durationSeconds: number;
}

/** True when `value` is an arm that was skipped. */
export function isSkipped(value: unknown): value is Skipped {
  return typeof value === "object" && value !== null && "skipped" in value;
}
