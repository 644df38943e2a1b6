import { afterEach, describe, expect, it, vi } from "vitest";
import { Authorizer } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS } from "../helpers/bundles.js";
import { ALTERNATIVE_IP, allowing, answeringBundle } from "../helpers/stub-policy.js";
import { VALID, EXPECTED, summary, quickstart, inputInvalid } from "../helpers/authorizer-guards.js";

/**
 * The authorizer's refusals and fail-closed paths — when deciding: the validator, decisions and the request size limit. Every test loads
 * its own authorizer, so the decision-path mutation run charges each mutant only the tests
 * that reach it.
 */

afterEach(() => {
  vi.restoreAllMocks();
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
