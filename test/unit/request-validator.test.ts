import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { certainlyLargerThan, nestsDeeperThan, snapshotRequest, wellFormedJson } from "../../wasm/request-validator.js";

/** The runtime's checks on a request before the policy sees it, without a bundle. */

describe("snapshotRequest copies the request's own data down the request contract", () => {
  it("reads each getter once, so validation and the policy judge the same value", () => {
    let reads = 0;
    const request = {
      get user(): unknown {
        reads++;
        return reads === 1 ? { id: "005A" } : { id: "changed" };
      },
    };
    const copy = snapshotRequest(request) as { user: { id: string } };
    expect(reads).toBe(1);
    expect(copy.user).toEqual({ id: "005A" });
    expect(JSON.stringify(copy)).toBe('{"user":{"id":"005A"}}');
    expect(reads).toBe(1);
  });

  it("copies user, its permission sets, app and session, each a new object with its own properties", () => {
    let setReads = 0;
    const sets = ["API"];
    const user = {
      id: "005A",
      get permissionSets(): string[] {
        setReads++;
        return sets;
      },
    };
    const app = { clientId: "erp" };
    const session = { sourceIp: "10.0.0.1" };
    const request = { user, app, session, other: { kept: true } };
    const copy = snapshotRequest(request) as typeof request;
    expect(setReads).toBe(1);
    expect(copy).not.toBe(request);
    expect(copy.user).not.toBe(user);
    expect(copy.user.permissionSets).not.toBe(sets);
    expect(copy.app).not.toBe(app);
    expect(copy.session).not.toBe(session);
    expect(copy.other).toBe(request.other);
    expect(copy).toEqual({ user: { id: "005A", permissionSets: ["API"] }, app, session, other: { kept: true } });
    sets.push("late");
    expect(copy.user.permissionSets).toEqual(["API"]);
  });

  it("leaves out inherited properties and a toJSON method on the prototype", () => {
    const proto = { user: { id: "inherited" }, toJSON: () => ({ user: { id: "forged" } }) };
    const request = Object.create(proto) as Record<string, unknown>;
    request.app = { clientId: "erp" };
    expect(JSON.stringify(snapshotRequest(request))).toBe('{"app":{"clientId":"erp"}}');
  });

  it.each([
    ["null", null],
    ["an array", [1, 2]],
    ["a string", "text"],
    ["a number", 3],
  ])("returns %s as it is", (_what, value) => {
    expect(snapshotRequest(value)).toBe(value);
  });

  it("leaves arrays and scalars where the contract has objects as they are", () => {
    const request = { user: ["x"], app: "erp", session: null };
    const copy = snapshotRequest(request) as typeof request;
    expect(copy.user).toBe(request.user);
    expect(copy).toEqual(request);
    const withSets = snapshotRequest({ user: { permissionSets: "API" } });
    expect(withSets).toEqual({ user: { permissionSets: "API" } });
  });

  it("throws what a throwing getter throws", () => {
    const request = {
      get user(): unknown {
        throw new Error("getter");
      },
    };
    expect(() => snapshotRequest(request)).toThrow("getter");
  });
});

describe("nestsDeeperThan refuses JSON nested past the limit", () => {
  it.each<[string, string, number, boolean]>([
    ["objects exactly at the limit", '{"a":{"b":{}}}', 3, false],
    ["objects one past the limit", '{"a":{"b":{"c":{}}}}', 3, true],
    ["arrays exactly at the limit", "[[[]]]", 3, false],
    ["arrays one past the limit", "[[[[]]]]", 3, true],
    ["mixed nesting one past the limit", '[{"a":[{}]}]', 3, true],
    ["siblings that each stay within the limit", "[[[]],[[]],[[]],[[]]]", 3, false],
    ["brackets inside a string", '{"a":"[[[[[[[["}', 1, false],
    ["an escaped quote inside a string", '{"a":"\\"[[[[["}', 1, false],
    ["an escaped backslash before the closing quote", '{"a":"\\\\","b":[[[]]]}', 3, true],
    ["braces after a string", '{"a":"x","b":{"c":{}}}', 2, true],
    ["a scalar", '"text"', 0, false],
  ])("%s", (_what, json, limit, deeper) => {
    expect(nestsDeeperThan(json, limit)).toBe(deeper);
  });

  it("(property) agrees with the depth of the parsed value", () => {
    const depth = (v: unknown): number =>
      typeof v === "object" && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 7 }), (value, limit) => {
        const json = JSON.stringify(value);
        expect(nestsDeeperThan(json, limit)).toBe(depth(value) > limit);
      }),
    );
  });
});

describe("wellFormedJson replaces lone surrogates with U+FFFD", () => {
  it.each([
    ["a lone high surrogate", "a\ud800b", "a\ufffdb"],
    ["a lone low surrogate", "\udc00", "\ufffd"],
    ["a lone surrogate at the top of the range", "\udfff", "\ufffd"],
    ["a pair, kept", "\ud83d\ude00", "\ud83d\ude00"],
    ["a lone one beside an escaped backslash", "\\\ud800", "\\\ufffd"],
  ])("%s", (_what, text, want) => {
    const out = wellFormedJson(JSON.stringify({ t: text }));
    expect(out).not.toMatch(/\\ud[89a-f]/);
    expect(JSON.parse(out)).toEqual({ t: want });
  });

  it("keeps the text of other escapes, including a backslash before `ud`", () => {
    const json = JSON.stringify({ t: "\\ud800 \n \u0001 \ud800" });
    expect(wellFormedJson(json)).toBe('{"t":"\\\\ud800 \\n \\u0001 \\ufffd"}');
  });

  it("returns the same string when there is no lone surrogate", () => {
    const json = JSON.stringify({ t: "plain \u00e9" });
    expect(wellFormedJson(json)).toBe(json);
  });

  it("keeps every length: one escape for one escape", () => {
    const json = JSON.stringify({ t: "\ud800\udbff\udc00x" });
    expect(wellFormedJson(json)).toHaveLength(json.length);
  });
});

describe("certainlyLargerThan bounds the JSON size from below without serializing", () => {
  const size = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? "", "utf8");

  it.each<[string, unknown]>([
    ["a string", "abcdef"],
    ["a number", 12345],
    ["true", true],
    ["null", null],
    ["an empty object", {}],
    ["an empty array", []],
    ["an array of three", [1, 2, 3]],
    ["an object of two", { ab: 1, c: "x" }],
    ["nested", { a: [{ b: "c" }, [], {}], d: null }],
  ])("never refuses %s at its exact size", (_what, value) => {
    expect(certainlyLargerThan(value, size(value))).toBe(false);
  });

  it.each<[string, unknown, number]>([
    ["a string: its length and two quotes", "abcdef", 8],
    ["a scalar: one byte", 12345, 1],
    ["null: one byte", null, 1],
    ["an empty object: two braces", {}, 2],
    ["an empty array: two brackets", [], 2],
    ["an array: brackets and commas", [1, 2, 3], 7],
    ["an object: key, quotes, colon and value", { ab: 1 }, 8],
    ["an object of two: the comma is not counted", { ab: 1, c: 2 }, 13],
  ])("%s", (_what, value, bound) => {
    expect(certainlyLargerThan(value, bound)).toBe(false);
    expect(certainlyLargerThan(value, bound - 1)).toBe(true);
  });

  it("still counts the members of a container whose own bytes reach the limit exactly", () => {
    // `[` `]` alone are 2 bytes, `{` `}` too: the member makes them pass a limit of 2.
    expect(certainlyLargerThan([1], 2)).toBe(true);
    expect(certainlyLargerThan({ a: 1 }, 2)).toBe(true);
  });

  it("skips members JSON leaves out: undefined, functions, symbols", () => {
    const value = { a: undefined, b: () => 1, c: Symbol("c"), d: 1 };
    // Only `"d":1` and the braces count.
    expect(certainlyLargerThan(value, 7)).toBe(false);
    expect(certainlyLargerThan(value, 6)).toBe(true);
    expect(certainlyLargerThan([undefined, () => 1, Symbol("s")], 4)).toBe(false);
    expect(certainlyLargerThan(undefined, 0)).toBe(false);
  });

  it("does not walk into an object with a toJSON method", () => {
    const value = { toJSON: () => "x", big: "y".repeat(1000) };
    expect(certainlyLargerThan(value, 1)).toBe(false);
    expect(certainlyLargerThan({ d: new Date(0) }, 6)).toBe(false);
  });

  it("does not walk past the depth bound", () => {
    const deep = { a: { b: "x".repeat(100) } };
    expect(certainlyLargerThan(deep, 50, 1)).toBe(false);
    expect(certainlyLargerThan(deep, 50, 2)).toBe(true);
    expect(certainlyLargerThan({ a: "x".repeat(100) }, 50, 0)).toBe(false);
    expect(certainlyLargerThan("x".repeat(100), 50, 0)).toBe(true);
    expect(certainlyLargerThan([["x".repeat(100)]], 50, 1)).toBe(false);
    expect(certainlyLargerThan([["x".repeat(100)]], 50, 2)).toBe(true);
  });

  it("stops reading an object's members once the bound passes the limit", () => {
    let reads = 0;
    const value: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++)
      Object.defineProperty(value, `k${i}`, {
        enumerable: true,
        get: () => {
          reads++;
          return "0123456789";
        },
      });
    // Braces 2, then 5 bytes per member before its value: past 40 after the eighth.
    expect(certainlyLargerThan(value, 40)).toBe(true);
    expect(reads).toBe(8);
  });

  it("stops queueing an array's elements once the bound passes the limit", () => {
    let reads = 0;
    const value = new Proxy(new Array<number>(1000).fill(1), {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    // Brackets and commas alone are 1001 bytes: no element is needed to pass 1000.
    expect(certainlyLargerThan(value, 1000)).toBe(true);
    expect(reads).toBe(0);
  });

  it("reads each property once and throws what a getter throws", () => {
    const value = {
      get a(): unknown {
        throw new Error("getter");
      },
    };
    expect(() => certainlyLargerThan(value, 100)).toThrow("getter");
  });

  it("(property) never refuses a value whose JSON fits, at any limit", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 400 }), (value, slack) => {
        expect(certainlyLargerThan(value, size(value) + slack)).toBe(false);
      }),
    );
  });
});
