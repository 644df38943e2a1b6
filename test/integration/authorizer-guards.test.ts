import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bundleSigner, signBundle } from "../../compiler/build/sign.js";
import { writeArchive } from "../../core/bundle-archive.js";
import { packageRoot } from "../../core/package-root.js";
import { SIGNATURES_FILE } from "../../core/bundle-signing.js";
import {
  Authorizer,
  BundleError,
  DecisionLog,
  OptionsError,
  type AuthorizerOptions,
  type Decision,
  type DecisionEvent,
} from "../../wasm/index.js";
import { QUICKSTART_REQUESTS, quickstartBundle } from "../helpers/bundles.js";
import { bundleFiles } from "../helpers/signing.js";
import { keyPair } from "../helpers/signing.js";
import { ALTERNATIVE_IP, allowing, answeringBundle } from "../helpers/stub-policy.js";

/**
 * The authorizer's refusals and fail-closed paths. Every test loads its own authorizer (no
 * hooks), so the decision-path mutation run charges each mutant only the tests that reach it.
 */

afterEach(() => {
  vi.restoreAllMocks();
});

const VALID = QUICKSTART_REQUESTS[0] as { user: Record<string, unknown> } & Record<string, unknown>;

/** The quick start's expected answers: allow and the reason codes, request by request. */
const EXPECTED = readFileSync(join(packageRoot(), "examples", "quickstart", "expected.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as { allow: boolean; reasons: string[]; notes: string[] });

function summary(d: Decision): { allow: boolean; reasons: string[]; notes: string[] } {
  return { allow: d.allow, reasons: d.reasons.map((r) => r.code), notes: d.notes.map((n) => n.code) };
}

async function quickstart(options: AuthorizerOptions = {}): Promise<Authorizer> {
  return Authorizer.load((await quickstartBundle()).bytes, options);
}

async function refusal(load: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  return refusalError(load).then((e) => ({ code: e.code, message: e.message }));
}

async function refusalError(load: () => Promise<unknown>): Promise<BundleError> {
  try {
    await load();
  } catch (error) {
    expect(error).toBeInstanceOf(BundleError);
    return error as BundleError;
  }
  throw new Error("the load succeeded");
}

function inputInvalid(message: string, revision: string): Decision {
  return {
    allow: false,
    reasons: [{ code: "INPUT_INVALID", message, control: "input", source: null }],
    notes: [],
    revision,
  };
}

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

describe("the runtime's validator has the last word", () => {
  it("refuses a request it finds invalid even when the policy allows it", async () => {
    const loaded = await Authorizer.load(await answeringBundle(allowing()));
    const message = "the request does not match the input schema (the runtime's validator refused it)";
    expect(loaded.decide({ user: 1 })).toEqual(inputInvalid(message, "stub"));
    expect(loaded.decide({})).toEqual(inputInvalid(message, "stub"));
    expect(loaded.decide(VALID)).toEqual(allowing());
  });

  it("refuses a request it finds invalid when the policy denies it for another reason", async () => {
    const blocked = {
      allow: false,
      reasons: [{ code: "APP_BLOCKED", message: "blocked", control: "app", source: null }],
      notes: [],
      revision: "stub",
    };
    const loaded = await Authorizer.load(await answeringBundle(blocked));
    expect(loaded.decide({ user: 1 }).reasons[0]?.code).toBe("INPUT_INVALID");
    expect(loaded.decide(VALID)).toEqual(blocked);
  });

  it("keeps the policy's own INPUT_INVALID message for a request both refuse", async () => {
    const loaded = await quickstart();
    const decision = loaded.decide({ user: 1 });
    expect(decision.reasons[0]?.code).toBe("INPUT_INVALID");
    expect(decision.reasons[0]?.message).not.toMatch(/runtime's validator/);
  });

  it("reports EVALUATION_ERROR, not INPUT_INVALID, when an invalid request traps", async () => {
    const small = await quickstart({ maxMemoryPages: 12, maxRequestBytes: 1 << 20 });
    const wide: Record<string, string[]> = {};
    for (let i = 0; i < 1500; i++) wide[`${"u".repeat(60)}${i}`] = ["x".repeat(10)];
    expect(small.decide(wide).reasons[0]).toEqual({
      code: "EVALUATION_ERROR",
      message: "the policy could not be evaluated: opa_malloc: failed",
      control: "runtime",
      source: null,
    });
  });

  it("fails closed with EVALUATION_ERROR when the policy's decision is malformed", async () => {
    const malformed = { allow: true, reasons: [], notes: [] };
    const loaded = await Authorizer.load(await answeringBundle(allowing(), "stub", { alternative: malformed }));
    expect(loaded.decide({ ...VALID, sourceIp: ALTERNATIVE_IP })).toEqual({
      allow: false,
      reasons: [
        { code: "EVALUATION_ERROR", message: "the decision has no `revision`", control: "runtime", source: null },
      ],
      notes: [],
      revision: "stub",
    });
  });
});

describe("decisions", () => {
  it("deny with EVALUATION_ERROR when the policy gives no decision for a request", async () => {
    const loaded = await Authorizer.load(await answeringBundle(allowing(), "stub", { alternative: undefined }));
    expect(loaded.decide({ ...VALID, sourceIp: ALTERNATIVE_IP }).reasons[0]).toEqual({
      code: "EVALUATION_ERROR",
      message: "the policy returned no decision",
      control: "runtime",
      source: null,
    });
  });

  it.each<[string, unknown]>([
    ["undefined", undefined],
    ["a function", () => 1],
  ])("decide %s as a request without input: the policy's INPUT_INVALID, never a throw", async (_what, request) => {
    const loaded = await quickstart();
    const decision = loaded.decide(request);
    expect(decision.allow).toBe(false);
    expect(decision.reasons[0]?.code).toBe("INPUT_INVALID");
    expect(decision.reasons[0]?.message).not.toMatch(/runtime's validator|serialized|larger/);
  });

  it.each<[string, unknown]>([
    ["undefined", undefined],
    ["a function", () => 1],
  ])("refuse %s even when the policy would allow a request without input", async (_what, request) => {
    const loaded = await Authorizer.load(await answeringBundle(allowing(), "stub"));
    expect(loaded.decide(request)).toEqual(
      inputInvalid("the request does not match the input schema (the runtime's validator refused it)", "stub"),
    );
  });

  it("give the quick start's expected answers, the plain allow recognised again and again", async () => {
    const loaded = await quickstart();
    for (let round = 0; round < 2; round++)
      expect(loaded.decideMany(QUICKSTART_REQUESTS).map(summary)).toEqual(EXPECTED);
    const allow = loaded.decide(VALID);
    expect(allow).toEqual({ allow: true, reasons: [], notes: [], revision: loaded.revision });
    expect(loaded.decide(VALID)).not.toBe(allow);
  });

  it.each<[string, unknown]>([
    [
      "a deny",
      {
        allow: false,
        reasons: [{ code: "APP_BLOCKED", message: "m", control: "app", source: null }],
        notes: [],
        revision: "stub",
      },
    ],
    ["an allow with notes", { ...(allowing() as object), notes: [{ code: "N", message: "note" }] }],
    ["an allow with another revision", allowing("other")],
    ["an allow with a fifth field", { ...(allowing() as object), extra: 1 }],
  ])("never take %s for the plain allow, before or after a plain allow", async (_what, answer) => {
    const other = { ...VALID, sourceIp: ALTERNATIVE_IP };
    const loaded = await Authorizer.load(await answeringBundle(allowing(), "stub", { alternative: answer }));
    expect(loaded.decide(other)).toEqual(answer);
    expect(loaded.decide(other)).toEqual(answer);
    expect(loaded.decide(VALID)).toEqual(allowing());
    expect(loaded.decide(other)).toEqual(answer);
    expect(loaded.decide(VALID)).toEqual(allowing());
  });

  it("decideJson decides JSON text as decide decides its value, and refuses text that is not JSON", async () => {
    const loaded = await quickstart();
    expect(loaded.decideJson(JSON.stringify(VALID))).toEqual(loaded.decide(VALID));
    expect(loaded.decideJson("{not json")).toEqual(inputInvalid("the request is not valid JSON", loaded.revision));
  });

  it("decideMany answers anything but an array with one INPUT_INVALID decision", async () => {
    const loaded = await quickstart();
    for (const notList of [null, {}, "[]", 3])
      expect(loaded.decideMany(notList as unknown as unknown[])).toEqual([
        inputInvalid("decideMany takes an array of requests", loaded.revision),
      ]);
    expect(loaded.decideMany([])).toEqual([]);
  });

  it.each<[string, () => unknown]>([
    [
      "a throwing getter",
      () => ({
        get user(): unknown {
          throw new Error("getter");
        },
      }),
    ],
    ["a BigInt", () => ({ ...VALID, n: 1n })],
    [
      "a cycle",
      () => {
        const cyclic: Record<string, unknown> = { ...VALID };
        cyclic.self = cyclic;
        return cyclic;
      },
    ],
  ])("refuse a request with %s as not serializable, never throwing", async (_what, request) => {
    const loaded = await quickstart();
    expect(loaded.decide(request())).toEqual(inputInvalid("the request cannot be serialized as JSON", loaded.revision));
  });

  it("refuse a request nested deeper than 64 levels before the policy sees it", async () => {
    const loaded = await quickstart();
    const nest = (n: number): unknown => (n === 0 ? 1 : [nest(n - 1)]);
    expect(loaded.decide({ ...VALID, deep: nest(64) })).toEqual(
      inputInvalid("the request nests deeper than 64 levels", loaded.revision),
    );
    const atLimit = loaded.decide({ ...VALID, deep: nest(63) });
    expect(atLimit.reasons[0]?.code).toBe("INPUT_INVALID");
    expect(atLimit.reasons[0]?.message).not.toMatch(/nests deeper/);
  });
});

describe("the request size limit", () => {
  /** The quick-start request padded so that its JSON is exactly `bytes` UTF-8 bytes, with `unit` (1 to 3 bytes) as filler. */
  function sized(bytes: number, unit = "x"): unknown {
    const base = { ...VALID, pad: "" };
    const room = bytes - Buffer.byteLength(JSON.stringify(base));
    const unitBytes = Buffer.byteLength(unit);
    const pad = unit.repeat(Math.floor(room / unitBytes)) + "x".repeat(room % unitBytes);
    const request = { ...base, pad };
    expect(Buffer.byteLength(JSON.stringify(request))).toBe(bytes);
    return request;
  }

  it("lets a request of exactly maxRequestBytes through and refuses one byte more", async () => {
    const loaded = await quickstart({ maxRequestBytes: 1000 });
    const tooLarge = inputInvalid("the request is larger than 1000 bytes", loaded.revision);
    expect(loaded.decide(sized(1000))).not.toEqual(tooLarge);
    expect(loaded.decide(sized(1001))).toEqual(tooLarge);
  });

  it("counts UTF-8 bytes, not characters", async () => {
    const loaded = await quickstart({ maxRequestBytes: 1000 });
    const tooLarge = inputInvalid("the request is larger than 1000 bytes", loaded.revision);
    expect(loaded.decide(sized(1000, "é"))).not.toEqual(tooLarge);
    expect(loaded.decide(sized(1001, "é"))).toEqual(tooLarge);
    expect(loaded.decide(sized(1000, "€"))).not.toEqual(tooLarge);
    expect(loaded.decide(sized(1002, "€"))).toEqual(tooLarge);
    expect(loaded.decideJson(JSON.stringify(sized(1001, "€")))).toEqual(tooLarge);
  });

  it("refuses a request whose lower bound already passes the limit, without serializing it", async () => {
    const loaded = await quickstart({ maxRequestBytes: 1000 });
    const stringify = vi.spyOn(JSON, "stringify");
    expect(loaded.decide({ ...VALID, pad: "x".repeat(2000) })).toEqual(
      inputInvalid("the request is larger than 1000 bytes", loaded.revision),
    );
    expect(stringify).not.toHaveBeenCalled();
  });

  it("defaults to 64 KiB", async () => {
    const loaded = await quickstart();
    expect(loaded.decide(sized(65536)).reasons[0]?.message).not.toMatch(/larger than/);
    expect(loaded.decide(sized(65537))).toEqual(
      inputInvalid("the request is larger than 65536 bytes", loaded.revision),
    );
  });
});

describe("memory and traps", () => {
  const wide = (): Record<string, string[]> => {
    const request: Record<string, string[]> = {};
    for (let i = 0; i < 1500; i++) request[`${"u".repeat(60)}${i}`] = ["x".repeat(10)];
    return request;
  };

  it("reports the pages in use and the bound", async () => {
    const loaded = await quickstart({ maxMemoryPages: 40 });
    const usage = loaded.memoryUsage();
    expect(usage.maximumPages).toBe(40);
    expect(usage.bytes).toBe(usage.pages * 65536);
    expect(usage.pages).toBeGreaterThanOrEqual(8);
    expect(loaded.health()).toEqual({ traps: 0, restarts: 0, healthy: true });
  });

  it("grows memory for a large request that fits the bound, and decides it", async () => {
    const loaded = await quickstart({ maxRequestBytes: 1 << 22 });
    const before = loaded.memoryUsage().pages;
    const big = { ...VALID, user: { ...VALID.user, id: "x".repeat(3_000_000) } };
    const decision = loaded.decide(big);
    expect(decision.reasons[0]?.code).toBe("INPUT_INVALID");
    expect(decision.reasons[0]?.message).not.toMatch(/memory|larger/);
    expect(loaded.memoryUsage().pages).toBeGreaterThan(before);
    expect(loaded.health().traps).toBe(0);
  });

  it("grows memory for a request up to three times the room left, and decides it whole", async () => {
    // 600 000 bytes: more than the 8 pages a small bundle starts with hold above its data, but
    // less than three times that, so only the exact UTF-8 size shows that memory must grow.
    const loaded = await quickstart({ maxMemoryPages: 40, maxRequestBytes: 1 << 21 });
    expect(loaded.memoryUsage().pages).toBe(8);
    const decision = loaded.decide({ ...VALID, user: { ...VALID.user, id: "x".repeat(600_000) } });
    expect(decision.reasons[0]).toMatchObject({
      code: "INPUT_INVALID",
      message: "the request does not match the input schema: invalid `user`",
    });
    expect(loaded.health().traps).toBe(0);
  });

  it("refuses a request that cannot fit in the bound with EVALUATION_ERROR, without a trap", async () => {
    const small = await quickstart({ maxMemoryPages: 9, maxRequestBytes: 1 << 22 });
    const decision = small.decide({ ...VALID, user: { id: "x".repeat(2_000_000) } });
    expect(decision.reasons[0]?.code).toBe("EVALUATION_ERROR");
    expect(decision.reasons[0]?.message).toMatch(/^the request does not fit in the policy's memory: ./);
    expect(small.health().traps).toBe(0);
  });

  it("replaces the instance after a trap, so the next request is decided afresh", async () => {
    const small = await quickstart({ maxMemoryPages: 12, maxRequestBytes: 1 << 20 });
    expect(small.decide(wide()).reasons[0]?.code).toBe("EVALUATION_ERROR");
    expect(small.decide(wide()).reasons[0]?.code).toBe("EVALUATION_ERROR");
    expect(small.health()).toEqual({ traps: 2, restarts: 2, healthy: true });
    expect(small.decideMany(QUICKSTART_REQUESTS).map(summary)).toEqual(EXPECTED);
  });

  it("denies every decision with EVALUATION_ERROR once an instance cannot be rebuilt", async () => {
    const small = await quickstart({ maxMemoryPages: 12, maxRequestBytes: 1 << 20 });
    const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (...args: unknown[]) => unknown } })
      .WebAssembly;
    vi.spyOn(wasm, "Instance").mockImplementation(() => {
      throw new Error("no instance");
    });
    expect(small.decide(wide()).reasons[0]?.code).toBe("EVALUATION_ERROR");
    expect(small.health()).toEqual({ traps: 1, restarts: 0, healthy: false });
    vi.restoreAllMocks();
    expect(small.decide(VALID).reasons[0]).toEqual({
      code: "EVALUATION_ERROR",
      message: "the policy could not be restarted after a trap",
      control: "runtime",
      source: null,
    });
  });
});

describe("decision logging", () => {
  async function logged(sampleRate = 1): Promise<{ loaded: Authorizer; events: DecisionEvent[] }> {
    const events: DecisionEvent[] = [];
    const decisionLog = DecisionLog.open({ sink: (e) => events.push(e), sampleRate, random: () => 0.5 });
    return { loaded: await quickstart({ decisionLog }), events };
  }

  it("records each sampled decision with the request as judged and the decision", async () => {
    const { loaded, events } = await logged();
    const decision = loaded.decide({ ...VALID, note: "a\ud800b" });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      path: "gatehouse/decision",
      input: { ...VALID, note: "a\ufffdb" },
      result: decision,
    });
    expect(events[0]!.bundles).toEqual({ gatehouse: { revision: loaded.revision } });
    const ns = events[0]!.metrics.timer_rego_query_eval_ns!;
    expect(ns).toBeGreaterThan(0);
    // An elapsed time, not a clock reading: less than the monotonic clock itself.
    expect(ns).toBeLessThan(Number(process.hrtime.bigint()));
  });

  it("records nothing for decisions it does not sample", async () => {
    const { loaded, events } = await logged(0.4);
    loaded.decide(VALID);
    loaded.decideJson("{");
    expect(events).toEqual([]);
  });

  it("records a request that never became JSON without an input, not the previous request's", async () => {
    const { loaded, events } = await logged();
    loaded.decide(VALID);
    loaded.decide({ n: 1n });
    expect(events).toHaveLength(2);
    expect("input" in events[1]!).toBe(false);
    expect(events[1]!.result).toEqual(inputInvalid("the request cannot be serialized as JSON", loaded.revision));
  });

  it("records text that is not JSON without an input", async () => {
    const { loaded, events } = await logged();
    const decision = loaded.decideJson("{");
    expect(events).toHaveLength(1);
    expect("input" in events[0]!).toBe(false);
    expect(events[0]!.result).toEqual(decision);
    expect(events[0]!.metrics.timer_rego_query_eval_ns).toBe(0);
  });

  it("does not log the probe decision made at load", async () => {
    const { events } = await logged();
    expect(events).toEqual([]);
  });
});
