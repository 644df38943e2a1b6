/** Bundle load time, step by step, and the memory a loaded bundle holds. */
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { readBundleBytes, unpackBundle } from "../../wasm/bundle.js";
import { Authorizer } from "../../wasm/index.js";
import { clearLoadCache } from "../../wasm/load-cache.js";
import { initialPages } from "../../wasm/memory-import.js";
import { verifyBundle } from "../../wasm/verify.js";
import type { LoadTimes, MemoryResult } from "./results.js";
import { processRss } from "./rss.js";
import { median } from "./targets.js";

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/**
 * Loads the bundle at `path` `loads` times: once step by step (read, unpack, verify,
 * instantiate, setData), once through `Authorizer.load` as a whole, cold (the in-process load
 * cache cleared: what the load target judges), and warm (the third load of the same revision
 * while the earlier ones are loaded, from the load cache's memory snapshot); medians of each.
 */
export async function loadTimes(path: string, loads: number): Promise<LoadTimes> {
  const steps = {
    total: [] as number[],
    warm: [] as number[],
    read: [] as number[],
    unpack: [] as number[],
    verify: [] as number[],
    instantiate: [] as number[],
    setData: [] as number[],
  };
  for (let i = 0; i < loads; i++) {
    gc();
    let t = performance.now();
    const lap = (into: number[]): void => {
      const now = performance.now();
      into.push(now - t);
      t = now;
    };
    const bytes = await readBundleBytes(path);
    lap(steps.read);
    const bundle = await unpackBundle(bytes);
    lap(steps.unpack);
    const verified = await verifyBundle(bundle.files, undefined);
    if (!verified.ok) throw verified.error;
    lap(steps.verify);
    const initial = initialPages(bundle.wasm, bundle.data.byteLength, 16384);
    const policy = await loadPolicy(bundle.wasm, { initial, maximum: 16384 });
    lap(steps.instantiate);
    policy.setData(bundle.data.slice().buffer);
    lap(steps.setData);
    clearLoadCache();
    gc();
    const t0 = performance.now();
    const cold = await Authorizer.load(path);
    steps.total.push(performance.now() - t0);
    // The second load of a revision reuses the compiled module and takes the memory snapshot
    // that the third and later loads restore.
    const second = await Authorizer.load(path);
    gc();
    const t1 = performance.now();
    await Authorizer.load(path);
    steps.warm.push(performance.now() - t1);
    void [cold, second]; // the earlier loads stay loaded until the warm one is done
    clearLoadCache();
  }
  return {
    loads,
    totalMs: median(steps.total),
    warmMs: median(steps.warm),
    readMs: median(steps.read),
    unpackMs: median(steps.unpack),
    verifyMs: median(steps.verify),
    instantiateMs: median(steps.instantiate),
    setDataMs: median(steps.setData),
  };
}

export async function memory(
  path: string,
  dataJsonBytes: number,
): Promise<{ memory: MemoryResult; authorizer: Authorizer }> {
  const authorizer = await Authorizer.load(path);
  const rss = processRss(path);
  return {
    authorizer,
    memory: {
      dataJsonBytes,
      wasmMemoryBytes: authorizer.memoryUsage().bytes,
      process: typeof rss === "string" ? { skipped: rss } : rss,
    },
  };
}
