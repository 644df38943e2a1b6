/**
 * opaHashedJson reads JSON with JSON.parse when every number in it prints as JavaScript prints it,
 * and with the (several times slower) lossless-json parser only otherwise. This file counts the
 * slow parser's calls to pin that choice: the output is the same either way, the cost is not.
 */
import type * as losslessJsonModule from "lossless-json";
import { afterEach, describe, expect, it, vi } from "vitest";
import { opaHashedJson } from "../../core/bundle-signing.js";

const slow = vi.hoisted(() => ({ calls: 0 }));

vi.mock("lossless-json", async (importOriginal) => {
  const lossless = await importOriginal<typeof losslessJsonModule>();
  return {
    ...lossless,
    parse: (...args: Parameters<typeof lossless.parse>) => {
      slow.calls++;
      return lossless.parse(...args);
    },
  };
});

afterEach(() => {
  slow.calls = 0;
});

/** The output for `json`, and whether the slow parser read it. */
function read(json: string): [string | undefined, "fast" | "slow"] {
  const before = slow.calls;
  const output = opaHashedJson(new TextEncoder().encode(json));
  return [output, slow.calls === before ? "fast" : "slow"];
}

describe("opaHashedJson chooses its parser by the numbers in the text", () => {
  it("reads numbers that print as written with JSON.parse, however many", () => {
    expect(read('[0, -1, 2.5, 1e+21, {"a": -30}]')).toEqual(['[0,-1,2.5,1e+21,{"a":-30}]', "fast"]);
    expect(read('{"a": true, "b": null}')).toEqual(['{"a":true,"b":null}', "fast"]);
  });

  it("does not read the digits inside strings as numbers, escaped quotes and backslashes included", () => {
    expect(read('{"1.0": "10.0.0.0/8", "v": "1e2", "q": "\\"1.50\\\\", "n": 7}')).toEqual([
      '{"1.0":"10.0.0.0/8","n":7,"q":"\\"1.50\\\\","v":"1e2"}',
      "fast",
    ]);
  });

  it("reads a number that JavaScript would print otherwise with lossless-json, keeping it as written", () => {
    for (const [json, output] of <Array<[string, string]>>[
      ["[1.0]", "[1.0]"],
      ['{"a": "x", "b": 1E2}', '{"a":"x","b":1E2}'],
      ["[2, 12345678901234567890]", "[2,12345678901234567890]"],
    ])
      expect([json, read(json)]).toEqual([json, [output, "slow"]]);
  });
});
