import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../core/canonical-json.js";

/** A plain reference: keys sorted with an explicit UTF-16 comparison, parts joined at the end. */
function reference(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("non-finite");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  throw new TypeError(typeof value);
}

describe("canonicalJson", () => {
  it("sorts keys by UTF-16 code units at every depth, integer-like keys included", () => {
    const value = { b: 1, a: [{ z: true, y: null }], "10": "x", "9": "y", "\u{1F600}": 1, "\uFFFF": 2, "": 0 };
    expect(canonicalJson(value)).toBe(
      '{"":0,"10":"x","9":"y","a":[{"y":null,"z":true}],"b":1,"\u{1F600}":1,"\uFFFF":2}',
    );
  });

  it("escapes as JSON.stringify does and writes numbers as it does", () => {
    expect(canonicalJson(['\u0000\n"\\', "\uD800", -0, 1e21, 0.1])).toBe(
      JSON.stringify(['\u0000\n"\\', "\uD800", 0, 1e21, 0.1]),
    );
  });

  it("writes null-prototype objects, with `__proto__` as an ordinary key", () => {
    const table = Object.create(null) as Record<string, unknown>;
    table.__proto__ = true;
    table.a = {};
    expect(canonicalJson(table)).toBe('{"__proto__":true,"a":{}}');
    expect(canonicalJson([])).toBe("[]");
  });

  it("refuses what JSON cannot hold exactly", () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      undefined,
      () => 1,
      1n,
      Symbol("s"),
      { a: undefined },
      [Number.NaN],
    ])
      expect(() => canonicalJson(bad)).toThrow(TypeError);
  });

  it("equals the reference on random JSON values (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => canonicalJson(value) === reference(value)),
      { seed: 7, numRuns: 2000 },
    );
  });
});
