import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bundleSigner, signBundle } from "../../compiler/build/sign.js";
import { writeArchive } from "../../core/bundle-archive.js";
import { SIGNATURES_FILE } from "../../core/bundle-signing.js";
import { Authorizer, BundleError, type AuthorizerOptions, type Decision } from "../../wasm/index.js";
import { clearLoadCache } from "../../wasm/load-cache.js";
import { blockedErpBundle, QUICKSTART_REQUESTS, quickstartBundle } from "../helpers/bundles.js";
import { bundleFiles, keyPair } from "../helpers/signing.js";
import { hostileBundle } from "../faults/hostile-wasm.js";
import { allowing, answeringBundle } from "../helpers/stub-policy.js";

/**
 * The load cache (wasm/load-cache.ts): a bundle loaded again in the same thread, byte for byte
 * the same policy.wasm and data.json under the same revision and memory bounds, reuses the first
 * load's compiled module and memory snapshot, and decides exactly as a fresh load; anything
 * else is loaded afresh; verification runs on every load.
 */

afterEach(() => {
  vi.restoreAllMocks();
  clearLoadCache();
});

const FIRST = QUICKSTART_REQUESTS[0];
const wasmApi = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object> } }).WebAssembly;

/** Counts the module compilations and setData calls of the loads that follow. */
function counting(loaded: Authorizer): { compiles: () => number; setData: () => number } {
  const compile = vi.spyOn(wasmApi, "compile");
  const policy = (loaded as unknown as { policy: object }).policy;
  const setData = vi.spyOn(Object.getPrototypeOf(policy) as { setData(d: ArrayBuffer): void }, "setData");
  return { compiles: () => compile.mock.calls.length, setData: () => setData.mock.calls.length };
}

const codes = (d: Decision): string[] => d.reasons.map((r) => r.code);

async function refusal(load: Promise<unknown>): Promise<BundleError> {
  try {
    await load;
  } catch (error) {
    expect(error).toBeInstanceOf(BundleError);
    return error as BundleError;
  }
  throw new Error("the load succeeded");
}

/** The quick start's files with `edit` applied, packed again. */
async function edited(edit: (files: Map<string, Uint8Array>) => void): Promise<Uint8Array> {
  const files = await bundleFiles((await quickstartBundle()).bytes);
  edit(files);
  return writeArchive([...files]);
}

describe("a bundle loaded again in the same thread", () => {
  it("reuses the compiled module, from the third load on the memory after setData too, and decides exactly as a fresh load", async () => {
    const { bytes } = await quickstartBundle();
    const first = await Authorizer.load(bytes);
    const count = counting(first);
    const second = await Authorizer.load(bytes);
    expect(count.compiles()).toBe(0);
    expect(count.setData()).toBe(1);
    const third = await Authorizer.load(bytes);
    expect(count.compiles()).toBe(0);
    expect(count.setData()).toBe(1);
    const expected = first.decideMany(QUICKSTART_REQUESTS);
    expect(second.decideMany(QUICKSTART_REQUESTS)).toEqual(expected);
    expect(third.decideMany(QUICKSTART_REQUESTS)).toEqual(expected);
    expect(third.memoryUsage()).toEqual(second.memoryUsage());
    clearLoadCache();
    const fresh = await Authorizer.load(bytes);
    expect(count.compiles()).toBe(1);
    expect(count.setData()).toBe(2);
    expect(fresh.decideMany(QUICKSTART_REQUESTS)).toEqual(expected);
  });

  it("loads afresh when data.json differs under the same revision, and decides with the new data", async () => {
    const { bytes, revision } = await quickstartBundle();
    const blocked = await bundleFiles((await blockedErpBundle()).bytes);
    const quick = await bundleFiles(bytes);
    const blockedRevision = (JSON.parse(new TextDecoder().decode(blocked.get(".manifest"))) as { revision: string })
      .revision;
    const data = new TextDecoder().decode(blocked.get("data.json")).split(blockedRevision).join(revision);
    const impostor = await edited((files) => {
      files.set("data.json", new TextEncoder().encode(data));
      files.set("policy.wasm", blocked.get("policy.wasm")!);
    });
    expect(quick.get("data.json")).not.toEqual(new TextEncoder().encode(data));
    const first = await Authorizer.load(bytes);
    expect(codes(first.decide(FIRST))).toEqual([]);
    const count = counting(first);
    const other = await Authorizer.load(impostor);
    expect(other.revision).toBe(revision);
    expect(count.setData()).toBe(1);
    expect(codes(other.decide(FIRST))).toEqual(["APP_BLOCKED"]);
    expect(codes(first.decide(FIRST))).toEqual([]);
  });

  it("loads afresh when policy.wasm differs by one byte of a custom section", async () => {
    const { bytes } = await quickstartBundle();
    const first = await Authorizer.load(bytes);
    const count = counting(first);
    const other = await edited((files) => {
      const wasm = files.get("policy.wasm")!;
      // A custom section (id 0) of 2 bytes named "x": a valid module with other bytes.
      files.set("policy.wasm", Uint8Array.from([...wasm, 0, 2, 1, 0x78]));
    });
    const loaded = await Authorizer.load(other);
    expect(count.compiles()).toBe(1);
    expect(count.setData()).toBe(1);
    expect(loaded.decideMany(QUICKSTART_REQUESTS)).toEqual(first.decideMany(QUICKSTART_REQUESTS));
  });

  it("loads afresh under other memory bounds, and still refuses data that does not fit them", async () => {
    const bytes = await answeringBundle(allowing(), "stub", { alternative: "x".repeat(3_000_000) });
    const first = await Authorizer.load(bytes);
    const count = counting(first);
    await Authorizer.load(bytes, { maxMemoryPages: 4096 });
    expect(count.compiles()).toBe(1);
    expect((await refusal(Authorizer.load(bytes, { maxMemoryPages: 16 }))).code).toBe("MEMORY_LIMIT");
    const tried = { maxMemoryPages: 16, loadTimeoutMs: 60_000 };
    expect((await refusal(Authorizer.load(bytes, tried))).code).toBe("MEMORY_LIMIT");
  });

  it("is not reused once no Authorizer of it is loaded", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const { bytes } = await quickstartBundle();
    const count = counting(await Authorizer.load((await blockedErpBundle()).bytes));
    await (async () => {
      await Authorizer.load(bytes);
    })();
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    await Authorizer.load(bytes);
    expect(count.compiles()).toBe(2);
  });

  it("still verifies the signature on every load", async () => {
    const signing = keyPair("rsa", "load-cache");
    const other = keyPair("rsa", "load-cache-other");
    const files = await bundleFiles((await quickstartBundle()).bytes);
    const signer = bundleSigner(new TextEncoder().encode(signing.privateKey));
    if (!signer.ok) throw new Error(signer.message);
    const signature = await signBundle([...files], signer.signer);
    if (!signature.ok) throw new Error(signature.message);
    const signed = await writeArchive([...files, [SIGNATURES_FILE, signature.signatures]]);
    const first = await Authorizer.load(signed, { verification: { key: signing.publicKey } });
    expect(first.signature).toBe("verified");
    const mismatch = await refusal(Authorizer.load(signed, { verification: { key: other.publicKey } }));
    expect(mismatch.code).toBe("SIGNATURE_KEY_MISMATCH");
    expect((await refusal(Authorizer.load(signed))).code).toBe("VERIFICATION_KEY_MISSING");
    const tampered = await writeArchive([
      ...files,
      [SIGNATURES_FILE, new TextEncoder().encode('{"signatures":["not.a.jwt"]}')],
    ]);
    const invalid = await refusal(Authorizer.load(tampered, { verification: { key: signing.publicKey } }));
    expect(invalid.code).toBe("SIGNATURE_INVALID");
    const again = await Authorizer.load(signed, { verification: { key: signing.publicKey } });
    expect(again.signature).toBe("verified");
  });
});

describe("the load cache holds several revisions", () => {
  it("reuses each loaded revision, and forgets none while its Authorizer is loaded", async () => {
    const quick = (await quickstartBundle()).bytes;
    const blocked = (await blockedErpBundle()).bytes;
    const a = await Authorizer.load(quick);
    const b = await Authorizer.load(blocked);
    const count = counting(a);
    await Authorizer.load(quick);
    await Authorizer.load(blocked);
    expect(count.compiles()).toBe(0);
    expect([a.revision, b.revision]).toHaveLength(2);
  });
});

describe("the load cache and the trial load in a worker", () => {
  const TRIAL: AuthorizerOptions = { loadTimeoutMs: 60_000 };

  it("with a trial load, this thread restores the worker's memory instead of setting the data again", async () => {
    const { bytes } = await quickstartBundle();
    const plain = await Authorizer.load(bytes);
    clearLoadCache();
    const count = counting(plain);
    const tried = await Authorizer.load(bytes, TRIAL);
    expect(count.compiles()).toBe(1);
    expect(count.setData()).toBe(0);
    expect(tried.decideMany(QUICKSTART_REQUESTS)).toEqual(plain.decideMany(QUICKSTART_REQUESTS));
    await Authorizer.load(bytes, TRIAL);
    expect(count.compiles()).toBe(1);
  });

  it("a load with a time bound never reuses a load that had none, or a slower trial", async () => {
    const { bytes } = await quickstartBundle();
    const plain = await Authorizer.load(bytes);
    expect((await refusal(Authorizer.load(bytes, { loadTimeoutMs: 1 }))).code).toBe("LOAD_TIMEOUT");
    const tried = await Authorizer.load(bytes, TRIAL);
    expect((await refusal(Authorizer.load(bytes, { loadTimeoutMs: 1 }))).code).toBe("LOAD_TIMEOUT");
    expect(tried.decide(FIRST)).toEqual(plain.decide(FIRST));
  });
});

describe("a restart after a trap", () => {
  it("rebuilds the instance from the memory snapshot, or by setting the data when there is none", async () => {
    const bytes = await hostileBundle("decide-trap");
    for (const options of [{ loadTimeoutMs: 60_000 }, {}]) {
      clearLoadCache();
      const authorizer = await Authorizer.load(bytes, options);
      const hasSnapshot = (authorizer as unknown as { image: { snapshot?: object } }).image.snapshot !== undefined;
      expect(hasSnapshot).toBe(options.loadTimeoutMs !== undefined);
      const count = counting(authorizer);
      for (const request of QUICKSTART_REQUESTS.slice(0, 3))
        expect(codes(authorizer.decide(request))).toEqual(["EVALUATION_ERROR"]);
      expect(authorizer.health()).toEqual({ traps: 3, restarts: 3, healthy: true });
      expect(count.setData()).toBe(hasSnapshot ? 0 : 3);
      vi.restoreAllMocks();
      expect(codes(authorizer.decide({}))).toEqual(["INPUT_INVALID"]);
    }
  });
});
