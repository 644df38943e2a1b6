import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import type { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import type { AuthorizerPool, Decision } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS, blockedErpBundle, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import type * as RuntimeModule from "../../wasm/index.js";

// Worker threads run the built pool-worker.js, so the pool is taken from the build (npm test builds first).
type Runtime = typeof RuntimeModule;
const runtime = (await import(pathToFileURL(join(packageRoot(), "dist", "wasm", "index.js")).href)) as Runtime;

let a: TestBundle;
let b: TestBundle;
let expectedA: Decision[];
let expectedB: Decision[];
let pool: AuthorizerPool;

beforeAll(async () => {
  [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
  expectedA = (await runtime.Authorizer.load(a.bytes)).decideMany(QUICKSTART_REQUESTS);
  expectedB = (await runtime.Authorizer.load(b.bytes)).decideMany(QUICKSTART_REQUESTS);
  pool = await runtime.AuthorizerPool.open(a.bytes, { workers: 2, maxBatch: 16 });
});

afterAll(async () => {
  await pool?.close();
});

describe("AuthorizerPool", () => {
  it("decides every request as the single Authorizer does, in order, across two workers", async () => {
    expect(pool.size).toBe(2);
    expect(pool.revision).toBe(a.revision);
    const many = Array.from({ length: 500 }, (_, i) => QUICKSTART_REQUESTS[i % QUICKSTART_REQUESTS.length]);
    const decisions = await pool.decideMany(many);
    expect(decisions).toEqual(many.map((_, i) => expectedA[i % QUICKSTART_REQUESTS.length]));
  });

  it("decides hostile requests as the single Authorizer does, without reaching a worker when they are not JSON", async () => {
    const single = await runtime.Authorizer.load(a.bytes);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    class WithToJson {
      toJSON(): unknown {
        return QUICKSTART_REQUESTS[0];
      }
    }
    const hostile = [
      cyclic,
      1n,
      undefined,
      () => 1,
      "x".repeat(100_000),
      [1],
      null,
      new WithToJson(),
      { user: "\ud800" },
    ];
    expect(await pool.decideMany(hostile)).toEqual(hostile.map((r) => single.decide(r)));
  });

  it("swaps bundles in every worker under continuous decisions: zero failed decisions, each made wholly by one bundle", async () => {
    let running = true;
    const tally = { decisions: 0, evaluationErrors: 0, mismatches: 0, revisions: new Set<string>() };
    const lane = async (): Promise<void> => {
      while (running) {
        const decisions = await pool.decideMany(QUICKSTART_REQUESTS);
        decisions.forEach((d, k) => {
          tally.decisions++;
          tally.revisions.add(d.revision);
          if (d.reasons.some((r) => r.code === "EVALUATION_ERROR")) tally.evaluationErrors++;
          const want = d.revision === a.revision ? expectedA[k] : d.revision === b.revision ? expectedB[k] : undefined;
          if (!isDeepStrictEqual(d, want)) tally.mismatches++;
        });
      }
    };
    const lanes = Array.from({ length: 4 }, lane);
    for (let k = 0; k < 10; k++) {
      const next = k % 2 === 0 ? b : a;
      expect(await pool.reload(next.bytes)).toBe(next.revision);
    }
    running = false;
    await Promise.all(lanes);
    expect(tally).toMatchObject({ evaluationErrors: 0, mismatches: 0 });
    expect([...tally.revisions].sort()).toEqual([a.revision, b.revision].sort());
    expect(tally.decisions).toBeGreaterThan(1000);
    expect(pool.revision).toBe(a.revision);
  });

  it("keeps the old bundle in every worker when a new one is refused", async () => {
    await expect(pool.reload(new TextEncoder().encode("not a bundle"))).rejects.toMatchObject({
      name: "BundleError",
      code: "BUNDLE_CORRUPT",
    });
    expect(pool.revision).toBe(a.revision);
    expect(await pool.decideMany(QUICKSTART_REQUESTS)).toEqual(expectedA);
  });

  it("replaces a worker that stops, denying only the requests it held", async () => {
    const threads = (pool as unknown as { threads: Array<{ worker: Worker }> }).threads;
    const pending = pool.decideMany(Array.from({ length: 64 }, () => QUICKSTART_REQUESTS[0]));
    await threads[0]!.worker.terminate();
    const decisions = await pending;
    const lost = decisions.filter((d) => d.reasons[0]?.code === "EVALUATION_ERROR");
    // The batches were sent to the worker after terminate() was called, so it never answers them.
    expect(lost.length).toBeGreaterThan(0);
    expect(decisions.filter((d) => d.allow).length + lost.length).toBe(64);
    for (const d of lost)
      expect(d.reasons[0]!.message).toBe("the worker deciding this request stopped: the worker exited with code 1");
    for (let i = 0; i < 200 && pool.size < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pool.size).toBe(2);
    expect(await pool.decideMany(QUICKSTART_REQUESTS)).toEqual(expectedA);
  });

  it("finishes the requests already asked when closed, and refuses later ones", async () => {
    const own = await runtime.AuthorizerPool.open(a.bytes, { workers: 1 });
    const pending = own.decideMany(QUICKSTART_REQUESTS);
    await own.close();
    expect(await pending).toEqual(expectedA);
    await expect(own.decide(QUICKSTART_REQUESTS[0])).rejects.toMatchObject({ name: "PoolError", code: "POOL_CLOSED" });
  });

  it("refuses a bundle it cannot load, and options it cannot honour", async () => {
    await expect(runtime.AuthorizerPool.open(new TextEncoder().encode("nope"), { workers: 1 })).rejects.toMatchObject({
      name: "BundleError",
      code: "BUNDLE_CORRUPT",
    });
    await expect(runtime.AuthorizerPool.open(a.bytes, { workers: 0 })).rejects.toThrow(
      "`workers` must be an integer from 1 to 256, got `0`",
    );
    // Load options travel to every worker, which checks them as Authorizer.load does.
    await expect(runtime.AuthorizerPool.open(a.bytes, { workers: 1, maxMemoryPages: 1 })).rejects.toMatchObject({
      name: "OptionsError",
      message: "`maxMemoryPages` must be an integer from 2 to 65536, got `1`",
    });
  });
});
