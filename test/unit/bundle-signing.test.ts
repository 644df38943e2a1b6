import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashBundleFile, opaHashedJson, structuredKind } from "../../core/bundle-signing.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const hashed = (s: string): string | undefined => opaHashedJson(text(s));

describe("opaHashedJson: the JSON text OPA hashes", () => {
  it.each([
    ['{ "b": 1, "a": [true, null, "x"] }', '{"a":[true,null,"x"],"b":1}'],
    ["[1.0, 1e2, -0, 1E+2, 12345678901234567890, 0.1]", "[1.0,1e2,-0,1E+2,12345678901234567890,0.1]"],
    ["[1, 2.5, 1e+21, -3]", "[1,2.5,1e+21,-3]"],
    ['"<&>\\/"', '"<&>/"'],
    ['"\\u2028\\u2029"', '"\\u2028\\u2029"'],
    ['"\\u0007\\b\\f\\n\\r\\t\\u001f\\u007f"', '"\\u0007\\b\\f\\n\\r\\t\\u001f\u007f"'],
    ['"\\ud800 \\udc00 \\ud83d\\ude00"', '"\ufffd \ufffd 😀"'],
    ['{"\\ue000": 1, "😀": 2, "z": 3}', '{"z":3,"\ue000":1,"😀":2}'],
    ['{"a": 1, "a": 2}', '{"a":2}'],
    ['{"a": 1.0, "a": 2.0}', '{"a":2.0}'],
    ['{"__proto__": {"x": 1}}', '{"__proto__":{"x":1}}'],
    ["\ufeff{}", "{}"],
  ])("%s → %s", (input, output) => {
    expect(hashed(input)).toBe(output);
  });

  it.each([["{"], ["[1,]"], ["01"], ["NaN"], ['{"a" 1}'], ["'a'"], ["1 2"]])("refuses %s", (input) => {
    expect(hashed(input)).toBeUndefined();
  });

  it("refuses text that is not UTF-8", () => {
    expect(opaHashedJson(Uint8Array.from([0x22, 0xff, 0x22]))).toBeUndefined();
  });

  it("ignores whitespace and key order (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(hashed(JSON.stringify(value, null, 2))).toBe(hashed(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it("reads alike through both parsers: JSON.parse, and lossless-json when a number is not as JavaScript prints it (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const json = JSON.stringify(value);
        expect(hashed(`[${json},1.0]`)).toBe(`[${hashed(json)},1.0]`);
      }),
      { numRuns: 300 },
    );
  });
});

describe("hashBundleFile", () => {
  it("hashes raw bytes, JSON as re-encoded, and refuses YAML data", () => {
    expect(structuredKind("gatehouse/engine.rego")).toBeUndefined();
    expect(structuredKind("x/data.json")).toBe("json");
    expect(structuredKind(".manifest")).toBe("json");
    expect(structuredKind("x/data.yml")).toBe("yaml");
    expect(hashBundleFile("a.rego", text("abc"), "SHA-256")).toEqual({
      ok: true,
      hash: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    });
    expect(hashBundleFile("data.json", text('{ "b": 1,\n "a": 2 }'), "SHA-256")).toEqual(
      hashBundleFile("data.json", text('{"a":2,"b":1}'), "SHA-256"),
    );
    expect(hashBundleFile("data.json", text("{"), "SHA-512")).toEqual({
      ok: false,
      problem: "malformed",
      message: "`data.json` is not valid JSON",
    });
  });
});

describe("opaHashedJson: code point key order with astral characters", () => {
  const ordered = ["a", "\uffff", "\uffffa", "\uffffb", "\u{10000}", "😀", "😀a", "😀b"];
  const permutations = (list: readonly string[]): string[][] =>
    list.length <= 1
      ? [[...list]]
      : list.flatMap((x, i) => permutations(list.filter((_, j) => j !== i)).map((p) => [x, ...p]));

  it("sorts keys in code point order (Go's byte order), whatever order they are written in", () => {
    const want = `{${ordered.map((k, i) => `${JSON.stringify(k)}:${i}`).join(",")}}`;
    for (const keys of permutations(ordered.slice(1, 7))) {
      const all = [ordered[0]!, ...keys, ordered[7]!];
      const json = `{${all.map((k) => `${JSON.stringify(k)}:${ordered.indexOf(k)}`).join(",")}}`;
      expect([all, hashed(json)]).toEqual([all, want]);
    }
  });

  it("orders a key before every longer key it starts, astral or not", () => {
    expect(hashed('{"😀😀":1,"😀":2,"\uffff😀":3,"\uffff":4}')).toBe('{"\uffff":4,"\uffff😀":3,"😀":2,"😀😀":1}');
  });
});
