import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../../core/package-root.js";
import { measureAsyncThroughput } from "./measure.js";

/** The part of the runtime's worker pool the benchmark uses. */
interface PoolLike {
  decideMany(requests: readonly unknown[]): Promise<readonly unknown[]>;
  close(): Promise<void>;
}

interface PoolModule {
  readonly AuthorizerPool?: {
    open(source: Uint8Array, options: { workers: number }): Promise<PoolLike>;
  };
}

/** What the worker pool measured, or why it could not be. */
export type PoolRun =
  | {
      readonly available: true;
      readonly workers: number;
      readonly batch: number;
      readonly inFlight: number;
      readonly decisions: number;
      readonly seconds: number;
      readonly perSecond: number;
      /** CPU the whole process used per second of wall time (all threads). */
      readonly cpuCores: number;
    }
  | { readonly available: false; readonly reason: string };

/**
 * The runtime's AuthorizerPool, loaded from the build (dist/: its workers run the compiled
 * worker module), or why not: a runtime without a pool is reported, not an error.
 */
export async function loadPool(): Promise<PoolModule["AuthorizerPool"] | string> {
  const entry = join(packageRoot(), "dist", "wasm", "index.js");
  if (!existsSync(entry)) return "the runtime is not built (dist/wasm/index.js is missing)";
  const runtime = (await import(pathToFileURL(entry).href)) as PoolModule;
  return runtime.AuthorizerPool ?? "this build of the runtime has no AuthorizerPool";
}

/**
 * Throughput of the worker pool on every core: `inFlight` calls of `decideMany` with `batch`
 * requests each kept outstanding for `seconds`, after a warm-up.
 */
export async function measurePool(
  bundle: Uint8Array,
  requests: readonly unknown[],
  options: { readonly seconds: number; readonly batch: number; readonly inFlight: number },
): Promise<PoolRun> {
  const Pool = await loadPool();
  if (typeof Pool === "string" || Pool === undefined)
    return { available: false, reason: Pool ?? "this build of the runtime has no AuthorizerPool" };
  const workers = availableParallelism();
  const pool = await Pool.open(bundle, { workers });
  try {
    let cursor = 0;
    const call = async (): Promise<number> => {
      const chunk: unknown[] = [];
      for (let i = 0; i < options.batch; i++) chunk.push(requests[cursor++ % requests.length]);
      return (await pool.decideMany(chunk)).length;
    };
    const t = await measureAsyncThroughput(call, {
      warmupCalls: Math.ceil(10_000 / options.batch),
      inFlight: options.inFlight,
      seconds: options.seconds,
    });
    return {
      available: true,
      workers,
      batch: options.batch,
      inFlight: options.inFlight,
      decisions: t.count,
      seconds: t.seconds,
      perSecond: t.perSecond,
      cpuCores: t.cpuCores,
    };
  } finally {
    await pool.close();
  }
}
