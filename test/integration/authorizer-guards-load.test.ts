import { afterEach, describe, expect, it, vi } from "vitest";
import { bundleSigner, signBundle } from "../../compiler/build/sign.js";
import { writeArchive } from "../../core/bundle-archive.js";
import { SIGNATURES_FILE } from "../../core/bundle-signing.js";
import { Authorizer, BundleError, OptionsError, type AuthorizerOptions } from "../../wasm/index.js";
import { quickstartBundle } from "../helpers/bundles.js";
import { bundleFiles } from "../helpers/signing.js";
import { keyPair } from "../helpers/signing.js";
import { allowing, answeringBundle } from "../helpers/stub-policy.js";
import {
  VALID,
  EXPECTED,
  summary,
  quickstart,
  refusal,
  refusalError,
  inputInvalid,
} from "../helpers/authorizer-guards.js";

/**
 * The authorizer's refusals and fail-closed paths — at load: options, signatures and a policy that cannot decide. Every test loads
 * its own authorizer, so the decision-path mutation run charges each mutant only the tests
 * that reach it.
 */

afterEach(() => {
  vi.restoreAllMocks();
});

describe("load options are checked before any work", () => {
  it.each<[string, AuthorizerOptions, string]>([
    [
      "maxRequestBytes below 2",
      { maxRequestBytes: 1 },
      "`maxRequestBytes` must be an integer from 2 to 1073741824, got `1`",
    ],
    ["maxRequestBytes above 2^30", { maxRequestBytes: 2 ** 30 + 1 }, "got `1073741825`"],
    ["a fractional maxRequestBytes", { maxRequestBytes: 2.5 }, "got `2.5`"],
    ["maxMemoryPages below 2", { maxMemoryPages: 1 }, "`maxMemoryPages` must be an integer from 2 to 65536, got `1`"],
    ["maxMemoryPages above 65536", { maxMemoryPages: 65537 }, "got `65537`"],
    ["a NaN maxMemoryPages", { maxMemoryPages: Number.NaN }, "got `NaN`"],
    ["loadTimeoutMs below 1", { loadTimeoutMs: 0 }, "`loadTimeoutMs` must be an integer from 1 to 2147483647, got `0`"],
    ["loadTimeoutMs above 2^31 - 1", { loadTimeoutMs: 2 ** 31 }, "got `2147483648`"],
  ])("refuses %s with an OptionsError", async (_what, options, message) => {
    // Bytes that are no bundle: the options are refused before they are read.
    const load = Authorizer.load(new Uint8Array(0), options);
    await expect(load).rejects.toBeInstanceOf(OptionsError);
    await expect(load).rejects.toThrow(message);
  });

  it("accepts each bound's smallest and largest value", async () => {
    const bytes = (await quickstartBundle()).bytes;
    await expect(Authorizer.load(bytes, { maxRequestBytes: 2 })).resolves.toBeInstanceOf(Authorizer);
    await expect(Authorizer.load(bytes, { maxRequestBytes: 2 ** 30 })).resolves.toBeInstanceOf(Authorizer);
    const widest = await Authorizer.load(bytes, { maxMemoryPages: 65536 });
    expect(widest.memoryUsage().maximumPages).toBe(65536);
    // Two pages hold no policy, but that is the bundle's failure, not the option's.
    await expect(Authorizer.load(bytes, { maxMemoryPages: 2 })).rejects.toBeInstanceOf(BundleError);
    expect((await refusal(() => Authorizer.load(bytes, { loadTimeoutMs: 1 }))).code).toBe("LOAD_TIMEOUT");
  });

  it("bounds the load in a worker when loadTimeoutMs is given, and loads within a generous bound", async () => {
    const loaded = await quickstart({ loadTimeoutMs: 2 ** 31 - 1 });
    expect(summary(loaded.decide(VALID))).toEqual(EXPECTED[0]);
  });

  it("applies the archive limits it is given", async () => {
    const limits = { maxArchiveBytes: 100, maxTotalBytes: 1 << 30, maxEntries: 100 };
    expect((await refusal(() => quickstart({ archiveLimits: limits }))).code).toBe("BUNDLE_TOO_LARGE");
  });
});

describe("signature checks at load", () => {
  const signing = keyPair("rsa", "authorizer-guards");
  const other = keyPair("rsa", "authorizer-guards-other");

  async function signed(): Promise<Uint8Array> {
    const files = await bundleFiles((await quickstartBundle()).bytes);
    const signer = bundleSigner(new TextEncoder().encode(signing.privateKey));
    if (!signer.ok) throw new Error(signer.message);
    const signature = await signBundle([...files], signer.signer);
    if (!signature.ok) throw new Error(signature.message);
    return writeArchive([...files, [SIGNATURES_FILE, signature.signatures]]);
  }

  it("verifies a signed bundle with the configured key", async () => {
    const loaded = await Authorizer.load(await signed(), { verification: { key: signing.publicKey } });
    expect(loaded.signature).toBe("verified");
  });

  it("refuses a signed bundle without a key", async () => {
    expect((await refusal(async () => Authorizer.load(await signed()))).code).toBe("VERIFICATION_KEY_MISSING");
    const refused = await refusal(async () => Authorizer.load(await signed(), { acceptUnverifiedSignature: false }));
    expect(refused.code).toBe("VERIFICATION_KEY_MISSING");
  });

  it("loads a signed bundle unchecked only when told to accept an unverified signature, and says so", async () => {
    const loaded = await Authorizer.load(await signed(), { acceptUnverifiedSignature: true });
    expect(loaded.signature).toBe("unverified");
  });

  it("still verifies with a configured key when told to accept an unverified signature", async () => {
    const options = { verification: { key: other.publicKey }, acceptUnverifiedSignature: true };
    expect((await refusal(async () => Authorizer.load(await signed(), options))).code).toBe("SIGNATURE_KEY_MISMATCH");
  });

  it("says an unsigned bundle is unsigned, with or without acceptUnverifiedSignature", async () => {
    expect((await quickstart()).signature).toBe("unsigned");
    expect((await quickstart({ acceptUnverifiedSignature: true })).signature).toBe("unsigned");
  });

  it("refuses an unsigned bundle when a key is configured", async () => {
    const refused = await refusal(() => quickstart({ verification: { key: signing.publicKey } }));
    expect(refused.code).toBe("SIGNATURE_MISSING");
  });
});

describe("a bundle whose policy cannot decide is refused at load", () => {
  it("WASM_INVALID: a module that cannot be read", async () => {
    const files = await bundleFiles((await quickstartBundle()).bytes);
    files.set("policy.wasm", new TextEncoder().encode("\0asm garbage"));
    const refused = await refusalError(async () => Authorizer.load(await writeArchive([...files])));
    expect(refused.code).toBe("WASM_INVALID");
    expect(refused.message).toMatch(/^policy\.wasm is not a readable module: ./);
    expect(refused.cause).toBeInstanceOf(Error);
  });

  it("WASM_INVALID: a well-formed module that is not an OPA policy", async () => {
    const files = await bundleFiles((await quickstartBundle()).bytes);
    files.set("policy.wasm", Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const refused = await refusalError(async () => Authorizer.load(await writeArchive([...files])));
    expect(refused.code).toBe("WASM_INVALID");
    expect(refused.message).toMatch(/^policy\.wasm could not be instantiated: ./);
    expect(refused.cause).toBeDefined();
  });

  it("WASM_INVALID: a policy without the gatehouse/decision entry point", async () => {
    const bytes = await answeringBundle(allowing(), "stub", { entrypoint: "gatehouse/other" });
    expect(await refusal(() => Authorizer.load(bytes))).toEqual({
      code: "WASM_INVALID",
      message: "policy.wasm lacks the entry point `gatehouse/decision`; is this a Gatehouse bundle?",
    });
  });

  it("DATA_INVALID: a policy whose decision is malformed", async () => {
    const bytes = await answeringBundle({ allow: "yes" });
    expect(await refusal(() => Authorizer.load(bytes))).toEqual({
      code: "DATA_INVALID",
      message: "the policy does not evaluate: the decision has no boolean `allow`",
    });
  });

  it("DATA_INVALID: a policy whose decisions carry another revision than the manifest", async () => {
    const bytes = await answeringBundle(inputInvalid("refused", "other"), "stub");
    expect(await refusal(() => Authorizer.load(bytes))).toEqual({
      code: "DATA_INVALID",
      message: "data.json carries revision `other`, but the manifest says `stub`",
    });
  });

  it("MEMORY_LIMIT: data.json that does not fit in the memory bound", async () => {
    const bytes = await answeringBundle({ padding: "x".repeat(3_000_000) });
    const refused = await refusalError(() => Authorizer.load(bytes, { maxMemoryPages: 16 }));
    expect(refused.code).toBe("MEMORY_LIMIT");
    expect(refused.message).toMatch(/^data\.json does not fit in 16 memory pages: ./);
    expect(refused.cause).toBeDefined();
  });

  it("DATA_INVALID: a policy that gives no decision", async () => {
    expect(await refusal(async () => Authorizer.load(await answeringBundle(undefined)))).toEqual({
      code: "DATA_INVALID",
      message: "the policy does not evaluate: the policy returned no decision",
    });
  });
});
