import { renameSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Authorizer,
  BundleError,
  ReloadingAuthorizer,
  nextPollDelay,
  type Decision,
  type ReloadingOptions,
} from "../../wasm/index.js";
import { QUICKSTART_REQUESTS, blockedErpBundle, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { tempDir } from "../helpers/policy.js";

let a: TestBundle;
let b: TestBundle;
let expectedA: Decision[];
let expectedB: Decision[];

beforeAll(async () => {
  [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
  expectedA = (await Authorizer.load(a.bytes)).decideMany(QUICKSTART_REQUESTS);
  expectedB = (await Authorizer.load(b.bytes)).decideMany(QUICKSTART_REQUESTS);
});

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Decides the quick-start requests in tight synchronous bursts, yielding between bursts so that
 * reloads progress, until stopped. Counts decisions, throws, EVALUATION_ERRORs, and decisions
 * that are not exactly what their revision's bundle decides.
 */
function decideContinuously(decide: (request: unknown) => Decision) {
  const tally = { decisions: 0, thrown: 0, evaluationErrors: 0, mismatches: 0, revisions: new Set<string>() };
  let running = true;
  const done = (async () => {
    while (running) {
      for (let i = 0; i < 100; i++) {
        const k = i % QUICKSTART_REQUESTS.length;
        let d: Decision;
        try {
          d = decide(QUICKSTART_REQUESTS[k]);
        } catch {
          tally.thrown++;
          continue;
        }
        tally.decisions++;
        tally.revisions.add(d.revision);
        if (d.reasons.some((r) => r.code === "EVALUATION_ERROR")) tally.evaluationErrors++;
        const want = d.revision === a.revision ? expectedA[k] : d.revision === b.revision ? expectedB[k] : undefined;
        if (!isDeepStrictEqual(d, want)) tally.mismatches++;
      }
      await tick();
    }
  })();
  return {
    tally,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

describe("reloading under load", () => {
  it("the two bundles decide the first quick-start request differently (allow, then APP_BLOCKED)", () => {
    expect(a.revision).not.toBe(b.revision);
    expect(expectedA[0]!.allow).toBe(true);
    expect(expectedB[0]!.reasons.map((r) => r.code)).toEqual(["APP_BLOCKED"]);
  });

  it("swaps two bundles 40 times during continuous decisions: zero failed decisions, each made wholly by one of the two", async () => {
    const handle = await ReloadingAuthorizer.open(a.bytes);
    const load = decideContinuously((r) => handle.decide(r));
    for (let k = 0; k < 40; k++) {
      const next = k % 2 === 0 ? b : a;
      expect(await handle.reload(next.bytes)).toBe(next.revision);
    }
    await load.stop();
    expect({ ...load.tally, revisions: [...load.tally.revisions].sort() }).toEqual({
      decisions: load.tally.decisions,
      thrown: 0,
      evaluationErrors: 0,
      mismatches: 0,
      revisions: [a.revision, b.revision].sort(),
    });
    expect(load.tally.decisions).toBeGreaterThan(2000);
    expect(handle.status()).toMatchObject({ revision: a.revision, reloads: 40, failures: 0 });
  });

  it("keeps serving the old bundle when a new one is refused, and reports why", async () => {
    const errors: BundleError[] = [];
    const handle = await ReloadingAuthorizer.open(a.bytes, { onReloadError: (e) => errors.push(e) });
    const load = decideContinuously((r) => handle.decide(r));
    await expect(handle.reload(new TextEncoder().encode("not a bundle"))).rejects.toBeInstanceOf(BundleError);
    await expect(handle.reload(join(tempDir(), "missing.tar.gz"))).rejects.toMatchObject({ code: "BUNDLE_UNREADABLE" });
    await load.stop();
    expect(load.tally).toMatchObject({ thrown: 0, evaluationErrors: 0, mismatches: 0 });
    expect([...load.tally.revisions]).toEqual([a.revision]);
    expect(errors.map((e) => e.code)).toEqual(["BUNDLE_CORRUPT", "BUNDLE_UNREADABLE"]);
    const status = handle.status();
    expect(status).toMatchObject({ revision: a.revision, reloads: 0, failures: 2 });
    expect(status.lastError?.code).toBe("BUNDLE_UNREADABLE");
  });
});

describe("watching a bundle file", () => {
  it("picks up bundles renamed over the file, ignores unchanged and broken ones, and never fails a decision", async () => {
    const dir = tempDir();
    const file = join(dir, "bundle.tar.gz");
    writeFileSync(file, a.bytes);
    const reloads: string[] = [];
    const errors: string[] = [];
    const options: ReloadingOptions = {
      watchOptions: { debounceMs: 20, statIntervalMs: 50 },
      onReload: (e) => reloads.push(e.revision),
      onReloadError: (e) => errors.push(e.code),
    };
    const handle = await ReloadingAuthorizer.open(file, options);
    const load = decideContinuously((r) => handle.decide(r));
    const publish = (bytes: Uint8Array, name: string): void => {
      writeFileSync(join(dir, name), bytes);
      renameSync(join(dir, name), file);
    };
    for (let k = 0; k < 6; k++) {
      const next = k % 2 === 0 ? b : a;
      publish(next.bytes, `next-${k}.tmp`);
      await until(() => reloads.length === k + 1, `reload ${k + 1}`);
      expect(handle.revision).toBe(next.revision);
    }
    publish(new TextEncoder().encode("half a bundle"), "broken.tmp");
    await until(() => errors.length === 1, "the broken bundle's error");
    publish(a.bytes, "same.tmp");
    await until(() => reloads.length === 7, "the good bundle after the broken one");
    await handle.close();
    await load.stop();
    expect(load.tally).toMatchObject({ thrown: 0, evaluationErrors: 0, mismatches: 0 });
    expect(reloads).toEqual([b, a, b, a, b, a, a].map((x) => x.revision));
    expect(errors).toEqual(["BUNDLE_CORRUPT"]);
    expect(handle.status()).toMatchObject({ revision: a.revision, reloads: 7, failures: 1 });
  });
});

describe("polling a bundle URL", () => {
  interface Served {
    readonly server: Server;
    readonly url: string;
    readonly log: string[];
    serve(bytes: Uint8Array | "error", etag: string): void;
  }

  async function bundleServer(): Promise<Served> {
    let body: Uint8Array | "error" = a.bytes;
    let etag = '"a"';
    const log: string[] = [];
    const server = createServer((req, res) => {
      const conditional = req.headers["if-none-match"];
      if (body === "error") {
        log.push("500");
        res.writeHead(500).end();
      } else if (conditional === etag) {
        log.push(`304 ${etag}`);
        res.writeHead(304, { ETag: etag }).end();
      } else {
        log.push(`200 ${etag}${conditional ? ` (had ${String(conditional)})` : ""}`);
        res.writeHead(200, { ETag: etag, "Content-Type": "application/gzip" }).end(body);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      server,
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundles/gatehouse.tar.gz`,
      log,
      serve: (bytes, tag) => {
        body = bytes;
        etag = tag;
      },
    };
  }

  it("polls with If-None-Match, honours 304, swaps on a new ETag, and keeps serving through server errors", async () => {
    const served = await bundleServer();
    const reloads: string[] = [];
    const errors: string[] = [];
    const handle = await ReloadingAuthorizer.open(served.url, {
      watchOptions: { minDelayMs: 10, maxDelayMs: 20, maxBackoffMs: 40 },
      onReload: (e) => reloads.push(e.revision),
      onReloadError: (e) => errors.push(e.message),
    });
    try {
      const load = decideContinuously((r) => handle.decide(r));
      await until(() => served.log.filter((l) => l.startsWith("304")).length >= 3, "three 304s");
      served.serve(b.bytes, '"b"');
      await until(() => reloads.length === 1, "the swap to b");
      served.serve("error", '"b"');
      await until(() => errors.length >= 2, "two failed polls");
      served.serve(b.bytes, '"b"');
      await until(() => served.log.at(-1) === '304 "b"', "a 304 after the errors");
      served.serve(a.bytes, '"a2"');
      await until(() => reloads.length === 2, "the swap back to a");
      await handle.close();
      await load.stop();
      expect(load.tally).toMatchObject({ thrown: 0, evaluationErrors: 0, mismatches: 0 });
      expect(reloads).toEqual([b.revision, a.revision]);
      expect(errors[0]).toBe(`GET ${served.url} answered 500`);
      // The first GET is unconditional; every later one carries the ETag in use.
      expect(served.log[0]).toBe('200 "a"');
      expect(served.log).toContain('200 "b" (had "a")');
      expect(served.log).toContain('200 "a2" (had "b")');
      expect(handle.status()).toMatchObject({ revision: a.revision, reloads: 2 });
    } finally {
      await handle.close();
      served.server.close();
    }
  });

  it("refuses to start when the first download fails", async () => {
    const served = await bundleServer();
    served.serve("error", '"x"');
    try {
      await expect(ReloadingAuthorizer.open(served.url)).rejects.toThrow(
        new BundleError("BUNDLE_UNREADABLE", `GET ${served.url} answered 500`),
      );
    } finally {
      served.server.close();
    }
  });
});

describe("nextPollDelay", () => {
  const delays = { minDelayMs: 60_000, maxDelayMs: 120_000, maxBackoffMs: 300_000 };

  it.each([
    [0, 0, 60_000],
    [0, 0.5, 90_000],
    [0, 0.999, 119_940],
    [1, 0, 60_000],
    [2, 0, 120_000],
    [3, 0, 240_000],
    [3, 0.5, 300_000],
    [4, 0, 300_000],
    [50, 0.9, 300_000],
  ])("after %d failures with jitter %d waits %d ms", (failures, jitter, want) => {
    expect(nextPollDelay(failures, delays, () => jitter)).toBe(want);
  });
});
