import { describe, expect, it } from "vitest";
import { DecisionLog, QUOTES_MASKED_INPUT, type MaskRule } from "../../wasm/decision-log.js";
import { INPUT, RESULT, callbackLog, NONE, masked, optionsError } from "../helpers/decision-log.js";

/** The decision-log module alone, no bundle: masking and mask rules. */

describe("mask rules are checked when the log opens", () => {
  it.each<[string, MaskRule, string]>([
    [
      "an op other than remove or upsert",
      { op: "replace" as "remove", path: "/input/a" },
      "op must be `remove` or `upsert`, got `replace`",
    ],
    ["a path outside /input and /result", "/output/a", "must start with `/input` or `/result`, got `/output/a`"],
    ["a path that only begins like /input", "/inputs/a", "got `/inputs/a`"],
    ["a path with text before /input", "x/input/a", "got `x/input/a`"],
    ["a path that is not a string", { path: 7 as unknown as string }, "got `7`"],
    ["a malformed %-escape", "/input/%E0%A4%A", "has a malformed %-escape"],
    ["an empty segment inside", "/input//a", "has an empty segment"],
    ["an empty last segment", "/input/a/", "has an empty segment"],
  ])("refuses %s", (_what, rule, message) => {
    expect(optionsError(() => DecisionLog.open({ sink: () => undefined, mask: [rule] }))).toContain(message);
  });

  it("refuses a path that is not a string even when its text would be one", () => {
    const path = { toString: () => "/input/a" } as unknown as string;
    expect(optionsError(() => DecisionLog.open({ sink: () => undefined, mask: [{ path }] }))).toContain(
      "must start with `/input` or `/result`",
    );
  });

  it("accepts the bare roots /input and /result", () => {
    expect(() => DecisionLog.open({ sink: () => undefined, mask: ["/input", "/result"] })).not.toThrow();
  });
});

describe("masking removes fields and records the rule in `erased`", () => {
  it("removes a field named by a string rule", () => {
    const event = masked(["/input/session/token"]);
    expect(event.input).toEqual({ ...INPUT, session: { sourceIp: "10.1.2.3" } });
    expect(event.erased).toEqual(["/input/session/token"]);
    expect(event.masked).toBeUndefined();
  });

  it("removes with an object rule whose op is absent, ignoring its value", () => {
    const event = masked([{ path: "/input/app/clientId", value: "x" }]);
    expect(event.input).toEqual({ ...INPUT, app: {} });
    expect(event.erased).toEqual(["/input/app/clientId"]);
  });

  it("removes an array element by its index, closing the gap", () => {
    const event = masked(["/input/user/permissionSets/0"]);
    expect((event.input as typeof INPUT).user.permissionSets).toEqual(["Sales"]);
    expect(event.erased).toEqual(["/input/user/permissionSets/0"]);
  });

  it("removes the whole input or the whole result", () => {
    const event = masked(["/input", "/result"]);
    expect("input" in event).toBe(false);
    expect("result" in event).toBe(false);
    expect(event.erased).toEqual(["/input", "/result"]);
  });

  it("reads a multi-digit array index", () => {
    const list = Array.from({ length: 12 }, (_, i) => i);
    const event = masked(["/input/list/10"], { list });
    expect(event.input).toEqual({ list: list.filter((i) => i !== 10) });
    expect(event.erased).toEqual(["/input/list/10"]);
  });

  it.each([
    ["a path through null", "/input/a/b"],
    ["a path two levels through null", "/input/a/b/c"],
  ])("skips %s without failing", (_what, rule) => {
    const event = masked([rule, { op: "upsert", path: rule, value: 1 }], { a: null });
    expect(event.input).toEqual({ a: null });
    expect(event.erased).toBeUndefined();
    expect(event.masked).toBeUndefined();
  });

  it("never removes through an inherited object: /input/__proto__/… leaves Object.prototype alone", () => {
    const saved = Object.getOwnPropertyDescriptor(Object.prototype, "propertyIsEnumerable")!;
    try {
      const event = masked(["/input/__proto__/propertyIsEnumerable"]);
      expect(event.erased).toBeUndefined();
      expect(Object.hasOwn(Object.prototype, "propertyIsEnumerable")).toBe(true);
    } finally {
      if (!Object.hasOwn(Object.prototype, "propertyIsEnumerable"))
        Object.defineProperty(Object.prototype, "propertyIsEnumerable", saved);
    }
  });

  it("skips an index with text after its digits", () => {
    const event = masked([
      "/input/user/permissionSets/1x",
      { op: "upsert", path: "/input/user/permissionSets/1x", value: 1 },
    ]);
    expect(event.input).toEqual(INPUT);
    expect(event.erased).toBeUndefined();
    expect(event.masked).toBeUndefined();
  });

  it("reads %2F as a slash inside a key", () => {
    const event = masked(["/input/a%2Fb"], { "a/b": 1, a: { b: 2 } });
    expect(event.input).toEqual({ a: { b: 2 } });
  });

  it.each([
    ["a missing field", "/input/session/nothing"],
    ["a missing parent", "/input/nothing/token"],
    ["a path through a scalar", "/input/session/token/x"],
    ["a path two levels below a scalar", "/input/session/token/x/y"],
    ["an index past the end of an array", "/input/user/permissionSets/2"],
    ["an index with a leading zero", "/input/user/permissionSets/01"],
    ["a negative index", "/input/user/permissionSets/-1"],
    ["a key only inherited by the object", "/input/session/toString"],
    ["an inherited parent", "/input/constructor/name"],
    ["an array's inherited key", "/input/user/permissionSets/length"],
  ])("skips and does not record a rule naming %s", (_what, rule) => {
    const event = masked([rule]);
    expect(event.input).toEqual(INPUT);
    expect(event.erased).toBeUndefined();
    expect(event.result).toEqual(RESULT);
  });

  it("skips an input rule when the event has no input (a request that was not JSON)", () => {
    const event = masked(["/input", "/input/a", { op: "upsert", path: "/input/a", value: 1 }], NONE);
    expect("input" in event).toBe(false);
    expect(event.erased).toBeUndefined();
    expect(event.masked).toBeUndefined();
  });

  it("skips a result rule when the decision has no result", () => {
    const event = masked(["/result", { op: "upsert", path: "/result/a", value: 1 }], INPUT, NONE);
    expect("result" in event).toBe(false);
    expect(event.erased).toBeUndefined();
    expect(event.masked).toBeUndefined();
  });
});

describe("masking with upsert replaces or inserts a value and records the rule in `masked`", () => {
  it("replaces an existing field", () => {
    const event = masked([{ op: "upsert", path: "/input/user/id", value: "***" }]);
    expect((event.input as typeof INPUT).user).toEqual({ ...INPUT.user, id: "***" });
    expect(event.masked).toEqual(["/input/user/id"]);
    expect(event.erased).toBeUndefined();
  });

  it("creates the missing objects on its path and keeps their siblings", () => {
    const event = masked([{ op: "upsert", path: "/input/session/extra/deep", value: 1 }]);
    expect((event.input as typeof INPUT).session).toEqual({ ...INPUT.session, extra: { deep: 1 } });
    expect(event.masked).toEqual(["/input/session/extra/deep"]);
  });

  it("goes through an array element by its index", () => {
    const event = masked([{ op: "upsert", path: "/input/list/1/k", value: "v" }], { list: [{ k: 0 }, { k: 1 }] });
    expect(event.input).toEqual({ list: [{ k: 0 }, { k: "v" }] });
  });

  it("replaces an array element in place", () => {
    const event = masked([{ op: "upsert", path: "/input/user/permissionSets/1", value: "*" }]);
    expect((event.input as typeof INPUT).user.permissionSets).toEqual(["API", "*"]);
  });

  it("replaces the whole input or result", () => {
    const event = masked([
      { op: "upsert", path: "/input", value: { gone: true } },
      { op: "upsert", path: "/result", value: "hidden" },
    ]);
    expect(event.input).toEqual({ gone: true });
    expect(event.result).toBe("hidden");
    expect(event.masked).toEqual(["/input", "/result"]);
  });

  it.each([
    ["an index past the end of an array", "/input/user/permissionSets/2"],
    ["a path through an array with a key that is not an index", "/input/user/permissionSets/x/y"],
    ["a path through a missing array element", "/input/user/permissionSets/5/y"],
    ["a path through a scalar", "/input/user/id/x/y"],
    ["a last key below a scalar", "/input/user/id/x"],
  ])("skips and does not record a rule naming %s", (_what, path) => {
    const event = masked([{ op: "upsert", path, value: "*" }]);
    expect(event.input).toEqual(INPUT);
    expect(event.masked).toBeUndefined();
  });

  it("gives every event its own copy of the value", () => {
    const value = { nested: ["a"] };
    const { log, events } = callbackLog({ mask: [{ op: "upsert", path: "/input/v", value }] });
    log.record("p", "{}", undefined, "r", 0);
    log.record("p", "{}", undefined, "r", 0);
    (events[0]!.input as { v: { nested: string[] } }).v.nested.push("changed");
    expect(events[1]!.input).toEqual({ v: { nested: ["a"] } });
    expect(value).toEqual({ nested: ["a"] });
  });

  it("gives the whole-root replacement its own copy too", () => {
    const value = { nested: ["a"] };
    const { log, events } = callbackLog({ mask: [{ op: "upsert", path: "/input", value }] });
    log.record("p", "{}", undefined, "r", 0);
    (events[0]!.input as { nested: string[] }).nested.push("changed");
    expect(value).toEqual({ nested: ["a"] });
  });
});

describe("a masked input value never reappears in the result", () => {
  it("replaces every result string that quotes a removed input value", () => {
    const event = masked(["/input/user/id"]);
    expect(event.result).toEqual({
      ...RESULT,
      reasons: [{ code: "X", message: QUOTES_MASKED_INPUT }],
    });
  });

  it("collects every scalar below a masked object: strings, numbers and booleans", () => {
    const input = { s: { text: "alpha", n: 4711, b: true, list: ["beta"], empty: "", nothing: null } };
    const result = { a: "has alpha", b: "has 4711", c: "is true", d: "beta!", e: "clean", f: 4711, g: ["x", "beta"] };
    const event = masked(["/input/s"], input, result);
    expect(event.result).toEqual({
      a: QUOTES_MASKED_INPUT,
      b: QUOTES_MASKED_INPUT,
      c: QUOTES_MASKED_INPUT,
      d: QUOTES_MASKED_INPUT,
      e: "clean",
      f: 4711,
      g: ["x", QUOTES_MASKED_INPUT],
    });
  });

  it("scrubs for upserted input values too, with the value as it was before the rule", () => {
    const event = masked([{ op: "upsert", path: "/input/session/sourceIp", value: "0.0.0.0" }]);
    expect((event.result as typeof RESULT).reasons[0]!.message).toBe(QUOTES_MASKED_INPUT);
  });

  it("does not treat an empty masked string as quoted by every string", () => {
    const event = masked(["/input/e"], { e: "" }, { message: "fine" });
    expect(event.result).toEqual({ message: "fine" });
  });

  it("leaves the result alone when the masked input field is absent", () => {
    const event = masked(["/input/nothing"]);
    expect(event.result).toEqual(RESULT);
  });

  it("does not scrub for a result rule whose path also exists in the input", () => {
    const result = { session: { token: "x" }, message: "quotes secret-token" };
    const event = masked(["/result/session/token"], INPUT, result);
    expect(event.result).toEqual({ session: {}, message: "quotes secret-token" });
  });

  it("scrubs around nulls and numbers in the result", () => {
    const event = masked(["/input/user/id"], INPUT, { a: null, b: [null, 1, "005A"], c: { d: null } });
    expect(event.result).toEqual({ a: null, b: [null, 1, QUOTES_MASKED_INPUT], c: { d: null } });
  });

  it("says why a string was replaced", () => {
    expect(QUOTES_MASKED_INPUT).toBe("(masked: quotes a masked input field)");
  });

  it("does not scrub for rules on the result", () => {
    const event = masked(["/result/revision"], INPUT, { ...RESULT, other: "r1" });
    expect(event.result).toEqual({ allow: false, reasons: RESULT.reasons, notes: [], other: "r1" });
    expect(event.input).toEqual(INPUT);
  });

  it("scrubs a result that is itself a quoting string", () => {
    expect(masked(["/input/user/id"], INPUT, "005A was here").result).toBe(QUOTES_MASKED_INPUT);
  });
});
