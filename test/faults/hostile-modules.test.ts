import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { Authorizer, BundleError, ReloadingAuthorizer } from "../../wasm/index.js";
import type * as RuntimeModule from "../../wasm/index.js";
import { QUICKSTART_REQUESTS, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { hostileBundle, type Misbehaviour } from "./hostile-wasm.js";

// The pool's workers run the built pool-worker.js, so the pool is taken from the build.
const runtime = (await import(
  pathToFileURL(join(packageRoot(), "dist", "wasm", "index.js")).href
)) as typeof RuntimeModule;

let good: TestBundle;
let expected: unknown[];

beforeAll(async () => {
  good = await quickstartBundle();
  expected = (await Authorizer.load(good.bytes)).decideMany(QUICKSTART_REQUESTS);
});

const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => "loaded",
    (error: unknown) => (error instanceof BundleError ? error.code : `not a BundleError: ${String(error)}`),
  );

describe("a policy module that loops or traps while loading is refused; the last good bundle keeps serving", () => {
  it.each([
    ["start-loop", "LOAD_TIMEOUT"],
    ["set-data-loop", "LOAD_TIMEOUT"],
    ["eval-loop", "LOAD_TIMEOUT"],
    ["start-trap", "WASM_INVALID"],
    ["eval-trap", "DATA_INVALID"],
  ] as const)("%s: %s", async (what: Misbehaviour, code) => {
    const reloading = await ReloadingAuthorizer.open(good.bytes, { loadTimeoutMs: 1000 });
    try {
      expect(await codeOf(reloading.reload(await hostileBundle(what)))).toBe(code);
      expect(reloading.revision).toBe(good.revision);
      expect(reloading.decideMany(QUICKSTART_REQUESTS)).toEqual(expected);
      expect(reloading.status()).toMatchObject({ failures: 1, lastError: { code } });
    } finally {
      await reloading.close();
    }
  });

  it("Authorizer.load with loadTimeoutMs refuses a looping module; the option is checked", async () => {
    expect(await codeOf(Authorizer.load(await hostileBundle("eval-loop"), { loadTimeoutMs: 500 }))).toBe(
      "LOAD_TIMEOUT",
    );
    await expect(Authorizer.load(good.bytes, { loadTimeoutMs: 0 })).rejects.toThrow(
      "`loadTimeoutMs` must be an integer",
    );
  });

  it("a module that traps on a request is denied EVALUATION_ERROR, never allowed", async () => {
    const authorizer = await Authorizer.load(await hostileBundle("decide-trap"), { loadTimeoutMs: 1000 });
    for (const request of QUICKSTART_REQUESTS)
      expect(authorizer.decide(request)).toMatchObject({ allow: false, reasons: [{ code: "EVALUATION_ERROR" }] });
  });
});

describe("AuthorizerPool's per-batch deadline", () => {
  it("terminates and replaces a worker stuck on a request; its requests are EVALUATION_ERROR; the pool goes on", async () => {
    const pool = await runtime.AuthorizerPool.open(await hostileBundle("decide-loop"), {
      workers: 2,
      batchTimeoutMs: 300,
    });
    try {
      const stuck = await pool.decideMany([QUICKSTART_REQUESTS[0], QUICKSTART_REQUESTS[1]]);
      for (const decision of stuck)
        expect(decision).toMatchObject({
          allow: false,
          reasons: [{ code: "EVALUATION_ERROR", message: expect.stringContaining("300 ms batch deadline") as unknown }],
        });
      // The replacement decides what the module can decide (the empty request) at once.
      const after = await pool.decideMany([{}, {}, {}, {}]);
      for (const decision of after)
        expect(decision).toMatchObject({ allow: false, reasons: [{ code: "INPUT_INVALID" }] });
      expect(pool.size).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it("refuses a deadline that is not a positive integer", async () => {
    await expect(runtime.AuthorizerPool.open(good.bytes, { workers: 1, batchTimeoutMs: 0 })).rejects.toThrow(
      "`batchTimeoutMs` must be an integer",
    );
  });
});
