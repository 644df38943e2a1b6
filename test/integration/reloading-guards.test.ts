import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bundleSigner, signBundle } from "../../compiler/build/sign.js";
import { writeArchive } from "../../core/bundle-archive.js";
import { SIGNATURES_FILE } from "../../core/bundle-signing.js";
import { Authorizer, BundleError, ReloadingAuthorizer, type ReloadingOptions } from "../../wasm/index.js";
import { DEFAULT_LOAD_TIMEOUT_MS } from "../../wasm/reloading-authorizer.js";
import { blockedErpBundle, QUICKSTART_REQUESTS, quickstartBundle } from "../helpers/bundles.js";
import { tempDir } from "../helpers/policy.js";
import { bundleFiles, keyPair } from "../helpers/signing.js";

/**
 * ReloadingAuthorizer's gates and bookkeeping: every swap goes through the first load's options
 * (verification included), a refused bundle leaves the one in use serving and is reported, and
 * reloads run one at a time. Every test opens its own (no hooks), for the decision-path mutation
 * run.
 */

afterEach(() => {
  vi.restoreAllMocks();
});

const FIRST = QUICKSTART_REQUESTS[0];
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The first quick-start request's reason codes: none with bundle A, APP_BLOCKED with bundle B. */
function codes(handle: { decide(request: unknown): { reasons: ReadonlyArray<{ code: string }> } }): string[] {
  return handle.decide(FIRST).reasons.map((r) => r.code);
}

async function refusal(promise: Promise<unknown>): Promise<BundleError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BundleError);
    return error as BundleError;
  }
  throw new Error("it succeeded");
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe("opening", () => {
  it("loads the first bundle with a load time bound of 10 s unless told otherwise", async () => {
    const load = vi.spyOn(Authorizer, "load");
    const a = await quickstartBundle();
    await ReloadingAuthorizer.open(a.bytes);
    expect(load.mock.calls[0]![1]).toMatchObject({ loadTimeoutMs: DEFAULT_LOAD_TIMEOUT_MS });
    expect(DEFAULT_LOAD_TIMEOUT_MS).toBe(10_000);
    const refused = await refusal(ReloadingAuthorizer.open(a.bytes, { loadTimeoutMs: 1 }));
    expect(refused.code).toBe("LOAD_TIMEOUT");
  });

  it("decides with the bundle in use through every entry point, and never watches bytes", async () => {
    const a = await quickstartBundle();
    const handle = await ReloadingAuthorizer.open(a.bytes);
    const plain = await Authorizer.load(a.bytes);
    expect(handle.revision).toBe(a.revision);
    expect(handle.current.revision).toBe(a.revision);
    expect(handle.decide(FIRST)).toEqual(plain.decide(FIRST));
    expect(handle.decideJson(JSON.stringify(FIRST))).toEqual(plain.decide(FIRST));
    expect(handle.decideMany(QUICKSTART_REQUESTS)).toEqual(plain.decideMany(QUICKSTART_REQUESTS));
    expect(handle.memoryUsage()).toEqual(handle.current.memoryUsage());
    expect(handle.health()).toEqual({ traps: 0, restarts: 0, healthy: true });
    const status = handle.status();
    expect(status).toEqual({ revision: a.revision, lastSuccess: status.lastSuccess, reloads: 0, failures: 0 });
    expect(status.lastSuccess).toBeInstanceOf(Date);
    await handle.close();
  });

  it("downloads a URL source with the fetch it is given, and refuses to start when that fails", async () => {
    const a = await quickstartBundle();
    const fetch = vi.fn((): Promise<Response> => Promise.resolve(new Response(a.bytes, { status: 200 })));
    const handle = await ReloadingAuthorizer.open("http://bundles.invalid/b.tar.gz", { fetch, watch: false });
    expect(handle.revision).toBe(a.revision);
    expect(fetch).toHaveBeenCalledTimes(1);
    await handle.close();
    const failing = (): Promise<Response> => Promise.resolve(new Response("no", { status: 500 }));
    const refused = await refusal(ReloadingAuthorizer.open("http://bundles.invalid/b.tar.gz", { fetch: failing }));
    expect(refused.code).toBe("BUNDLE_UNREADABLE");
  });
});

describe("reload", () => {
  it("swaps in a new bundle, reports it, and counts it", async () => {
    const [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
    const reloads: unknown[] = [];
    const handle = await ReloadingAuthorizer.open(a.bytes, { onReload: (e) => reloads.push(e) });
    const before = handle.status().lastSuccess;
    await sleep(5);
    expect(await handle.reload(b.bytes)).toBe(b.revision);
    expect(handle.revision).toBe(b.revision);
    expect(codes(handle)).toEqual(["APP_BLOCKED"]);
    expect(reloads).toEqual([{ revision: b.revision, previous: a.revision }]);
    const status = handle.status();
    expect(status.reloads).toBe(1);
    expect(status.failures).toBe(0);
    expect(status.lastSuccess.getTime()).toBeGreaterThan(before.getTime());
  });

  it("keeps serving the bundle in use when a new one is refused, and reports and counts why", async () => {
    const a = await quickstartBundle();
    const errors: BundleError[] = [];
    const handle = await ReloadingAuthorizer.open(a.bytes, { onReloadError: (e) => errors.push(e) });
    const refused = await refusal(handle.reload(text("not a bundle")));
    expect(refused.code).toBe("BUNDLE_CORRUPT");
    expect(handle.revision).toBe(a.revision);
    expect(codes(handle)).toEqual([]);
    expect(errors).toEqual([refused]);
    const status = handle.status();
    expect(status.failures).toBe(1);
    expect(status.reloads).toBe(0);
    expect(status.lastError).toEqual({ code: "BUNDLE_CORRUPT", message: refused.message, at: status.lastError!.at });
    expect(status.lastError!.at).toBeInstanceOf(Date);
  });

  it("reports a source it cannot read as BUNDLE_UNREADABLE, counted", async () => {
    const a = await quickstartBundle();
    const errors: BundleError[] = [];
    const handle = await ReloadingAuthorizer.open(a.bytes, { onReloadError: (e) => errors.push(e) });
    const missing = join(tempDir(), "missing.tar.gz");
    const refused = await refusal(handle.reload(missing));
    expect(refused.code).toBe("BUNDLE_UNREADABLE");
    expect(refused.message).toBe(`cannot read the bundle: ENOENT: no such file or directory, open '${missing}'`);
    expect(errors).toEqual([refused]);
    expect(handle.status()).toMatchObject({ failures: 1, lastError: { code: "BUNDLE_UNREADABLE" } });
  });

  it("is not stopped by a throwing listener", async () => {
    const [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
    const handle = await ReloadingAuthorizer.open(a.bytes, {
      onReload: () => {
        throw new Error("listener");
      },
      onReloadError: () => {
        throw new Error("listener");
      },
    });
    expect(await handle.reload(b.bytes)).toBe(b.revision);
    expect((await refusal(handle.reload(text("x")))).code).toBe("BUNDLE_CORRUPT");
    expect(handle.status()).toMatchObject({ revision: b.revision, reloads: 1, failures: 1 });
  });

  it("runs reloads one at a time in the order asked, a refused one stopping none after it", async () => {
    const [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
    const handle = await ReloadingAuthorizer.open(a.bytes);
    const seen: string[] = [];
    const results = await Promise.allSettled([
      handle.reload(b.bytes).then((r) => seen.push(r)),
      handle.reload(text("broken")),
      handle.reload(a.bytes).then((r) => seen.push(r)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(seen).toEqual([b.revision, a.revision]);
    expect(handle.revision).toBe(a.revision);
    expect(handle.status()).toMatchObject({ reloads: 2, failures: 1 });
  });

  it("loads every new bundle with the options of the first load", async () => {
    const [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
    const handle = await ReloadingAuthorizer.open(a.bytes, { maxRequestBytes: 300 });
    await handle.reload(b.bytes);
    const decision = handle.decide({ ...(FIRST as object), pad: "x".repeat(400) });
    expect(decision.reasons[0]?.message).toBe("the request is larger than 300 bytes");
  });
});

describe("verification gates every swap", () => {
  const signing = keyPair("rsa", "reloading-guards");
  const other = keyPair("rsa", "reloading-guards-other");

  async function signed(bytes: Uint8Array, key = signing.privateKey): Promise<Uint8Array> {
    const files = await bundleFiles(bytes);
    const signer = bundleSigner(text(key));
    if (!signer.ok) throw new Error(signer.message);
    const signature = await signBundle([...files], signer.signer);
    if (!signature.ok) throw new Error(signature.message);
    return writeArchive([...files, [SIGNATURES_FILE, signature.signatures]]);
  }

  it("refuses an unsigned bundle and one signed with another key, keeping the verified one", async () => {
    const [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
    const options: ReloadingOptions = { verification: { key: signing.publicKey } };
    const handle = await ReloadingAuthorizer.open(await signed(a.bytes), options);
    expect(handle.current.signature).toBe("verified");
    expect((await refusal(handle.reload(b.bytes))).code).toBe("SIGNATURE_MISSING");
    const forged = await signed(b.bytes, other.privateKey);
    expect((await refusal(handle.reload(forged))).code).toBe("SIGNATURE_KEY_MISMATCH");
    expect(handle.revision).toBe(a.revision);
    expect(await handle.reload(await signed(b.bytes))).toBe(b.revision);
    expect(handle.current.signature).toBe("verified");
  });
});

describe("watching", () => {
  it("swaps in a new file at a watched path, and stops at close", async () => {
    const [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
    const dir = tempDir();
    const file = join(dir, "bundle.tar.gz");
    writeFileSync(file, a.bytes);
    const handle = await ReloadingAuthorizer.open(file, { watchOptions: { debounceMs: 5, statIntervalMs: 20 } });
    writeFileSync(join(dir, "next"), b.bytes);
    renameSync(join(dir, "next"), file);
    await until(() => handle.revision === b.revision, "the new bundle");
    await handle.close();
    writeFileSync(join(dir, "next"), a.bytes);
    renameSync(join(dir, "next"), file);
    // Long enough for a watcher that was still running to see the change and load it.
    await sleep(1000);
    expect(handle.revision).toBe(b.revision);
  });

  it("does not watch a path when told not to", async () => {
    const [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
    const dir = tempDir();
    const file = join(dir, "bundle.tar.gz");
    writeFileSync(file, a.bytes);
    const watchOptions = { debounceMs: 5, statIntervalMs: 20 };
    const unwatched = await ReloadingAuthorizer.open(file, { watch: false, watchOptions });
    // A watching twin on the same file shows when the change has been seen.
    const watched = await ReloadingAuthorizer.open(file, { watchOptions });
    writeFileSync(join(dir, "next"), b.bytes);
    renameSync(join(dir, "next"), file);
    await until(() => watched.revision === b.revision, "the watching twin to swap");
    // Long enough for a load the twin has finished to finish here too, were this one watching.
    await sleep(1000);
    expect(unwatched.revision).toBe(a.revision);
    await watched.close();
    await unwatched.close();
  });

  it("polls a URL with the ETag of the first download, so an unchanged bundle is not downloaded again", async () => {
    const a = await quickstartBundle();
    const tags: Array<string | null> = [];
    const fetch = (_url: unknown, init?: RequestInit): Promise<Response> => {
      tags.push(new Headers(init?.headers).get("if-none-match"));
      return Promise.resolve(
        tags.length === 1
          ? new Response(a.bytes, { status: 200, headers: { etag: '"a"' } })
          : new Response(null, { status: 304 }),
      );
    };
    const handle = await ReloadingAuthorizer.open("http://bundles.invalid/b.tar.gz", {
      fetch,
      watchOptions: { minDelayMs: 5, maxDelayMs: 10 },
    });
    await until(() => tags.length >= 2, "a poll");
    await handle.close();
    expect(tags.slice(0, 2)).toEqual([null, '"a"']);
  });

  it("refuses to start when the first download is answered 304", async () => {
    const fetch = (): Promise<Response> => Promise.resolve(new Response(null, { status: 304 }));
    const refused = await refusal(ReloadingAuthorizer.open("http://bundles.invalid/b.tar.gz", { fetch }));
    expect(refused.code).toBe("BUNDLE_UNREADABLE");
    expect(refused.message).toBe("GET http://bundles.invalid/b.tar.gz answered 304");
  });

  it("gives up on the first download after watchOptions.timeoutMs", async () => {
    const fetch = (_url: unknown, init?: RequestInit): Promise<Response> =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
    const refused = await refusal(
      ReloadingAuthorizer.open("http://bundles.invalid/b.tar.gz", { fetch, watchOptions: { timeoutMs: 20 } }),
    );
    expect(refused.message).toBe("GET http://bundles.invalid/b.tar.gz failed: aborted");
  });

  it("polls a URL with the fetch it is given, swaps on a new bundle, and counts a failed poll", async () => {
    const [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
    const answers: Array<() => Response> = [
      () => new Response(a.bytes, { status: 200, headers: { etag: '"a"' } }),
      () => new Response("down", { status: 503 }),
      () => new Response(b.bytes, { status: 200, headers: { etag: '"b"' } }),
    ];
    let calls = 0;
    const fetch = (): Promise<Response> => Promise.resolve(answers[Math.min(calls++, answers.length - 1)]!());
    const handle = await ReloadingAuthorizer.open("http://bundles.invalid/b.tar.gz", {
      fetch,
      watchOptions: { minDelayMs: 5, maxDelayMs: 10, maxBackoffMs: 10 },
    });
    await until(() => handle.revision === b.revision, "the new bundle");
    await handle.close();
    expect(handle.status()).toMatchObject({ reloads: 1, failures: 1, lastError: { code: "BUNDLE_UNREADABLE" } });
  });
});
