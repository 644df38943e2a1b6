import { createHash, createPrivateKey } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  SIGNING_ALGORITHMS,
  asymmetricKeyProblem,
  hashBundleFile,
  isFileHashAlgorithm,
  isHmacAlgorithm,
  isSigningAlgorithm,
  looksLikePem,
  minimumSecretBytes,
  opaHashedJson,
  rawBytesMatch,
  structuredKind,
} from "../../core/bundle-signing.js";
import { keyPair } from "../helpers/signing.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const hashed = (s: string): string | undefined => opaHashedJson(text(s));

describe("opaHashedJson: the JSON text OPA hashes", () => {
  it.each([
    ['{ "b": 1, "a": [true, null, "x"] }', '{"a":[true,null,"x"],"b":1}'],
    ["[1.0, 1e2, -0, 1E+2, 12345678901234567890, 0.1]", "[1.0,1e2,-0,1E+2,12345678901234567890,0.1]"],
    ["[1, 2.5, 1e+21, -3]", "[1,2.5,1e+21,-3]"],
    ["12345678901234567890", "12345678901234567890"],
    ["[100000000000000000000000, -0.5]", "[100000000000000000000000,-0.5]"],
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

describe("algorithms, hashes and keys (one rule per test)", () => {
  it("names every supported JWS algorithm, and only those", () => {
    for (const algorithm of SIGNING_ALGORITHMS)
      expect([algorithm, isSigningAlgorithm(algorithm)]).toEqual([algorithm, true]);
    expect(SIGNING_ALGORITHMS).toEqual([
      "RS256",
      "RS384",
      "RS512",
      "PS256",
      "PS384",
      "PS512",
      "ES256",
      "ES384",
      "ES512",
      "HS256",
      "HS384",
      "HS512",
    ]);
    for (const other of ["none", "EdDSA", "rs256", "", 256, undefined]) expect(isSigningAlgorithm(other)).toBe(false);
    expect(SIGNING_ALGORITHMS.filter(isHmacAlgorithm)).toEqual(["HS256", "HS384", "HS512"]);
    expect(SIGNING_ALGORITHMS.filter(isHmacAlgorithm).map(minimumSecretBytes)).toEqual([32, 48, 64]);
  });

  it("hashes with each accepted file hash algorithm as node:crypto does, and accepts no other name", () => {
    const bytes = text("package gatehouse\n");
    for (const [name, node] of Object.entries({
      "SHA-256": "sha256",
      "SHA-384": "sha384",
      "SHA-512": "sha512",
      "SHA-512-256": "sha512-256",
    })) {
      expect(isFileHashAlgorithm(name)).toBe(true);
      const want = createHash(node).update(bytes).digest("hex");
      expect(hashBundleFile("x.rego", bytes, name as "SHA-256")).toEqual({ ok: true, hash: want });
      expect(rawBytesMatch(bytes, name as "SHA-256", want.toUpperCase())).toBe(true);
    }
    for (const other of ["MD5", "SHA-1", "sha256", "toString", "__proto__", 1])
      expect(isFileHashAlgorithm(other)).toBe(false);
  });

  it("takes only a string as a file hash algorithm name, not a value that converts to one", () => {
    for (const other of [["SHA-256"], { toString: () => "SHA-256" }, new String("SHA-256")])
      expect([other, isFileHashAlgorithm(other)]).toEqual([other, false]);
    for (const other of [["RS256"], { toString: () => "RS256" }, new String("RS256")])
      expect([other, isSigningAlgorithm(other)]).toEqual([other, false]);
  });

  it("reads `data.yaml` as YAML and every other name as raw bytes", () => {
    expect(structuredKind("a/data.yaml")).toBe("yaml");
    expect(structuredKind("a/data.json.bak")).toBeUndefined();
    expect(structuredKind("a/.manifest.rego")).toBeUndefined();
    expect(structuredKind("my-data.json")).toBeUndefined();
  });

  it("says why a key cannot serve an algorithm: HMAC takes no key pair, and odd key types are named", () => {
    const rsa = createPrivateKey(keyPair("rsa").privateKey);
    expect(asymmetricKeyProblem(rsa, "HS256")).toBe("HS256 does not use a key pair");
    expect(asymmetricKeyProblem(rsa, "RS512")).toBeUndefined();
    expect(asymmetricKeyProblem(createPrivateKey(keyPair("ed25519").privateKey), "ES384")).toBe(
      "ES384 needs an ECDSA key on curve P-384, not an ed25519 key",
    );
    expect(asymmetricKeyProblem(createPrivateKey(keyPair("ec-p521").privateKey), "ES512")).toBeUndefined();
  });

  it("spots PEM text in the first 4 KiB of key material, and only there", () => {
    expect(looksLikePem(text("-----BEGIN PRIVATE KEY-----"))).toBe(true);
    expect(looksLikePem(text(`${"x".repeat(4085)}-----BEGIN `))).toBe(true);
    expect(looksLikePem(text(`${"x".repeat(4086)}-----BEGIN `))).toBe(false);
    expect(looksLikePem(text("-----BEGIN"))).toBe(false);
  });
});

describe("opaHashedJson: fast paths agree with the exact ones", () => {
  it("writes nested arrays and objects with commas only between items", () => {
    expect(hashed('[[], [1], [1, [2, 3]], {}, {"a": [true, false]}]')).toBe('[[],[1],[1,[2,3]],{},{"a":[true,false]}]');
    expect(hashed('{"b": {"d": 1, "c": 2}, "a": 1.50}')).toBe('{"a":1.50,"b":{"c":2,"d":1}}');
  });

  it("escapes U+2028 and U+2029 as Go does, in keys and values, and replaces lone surrogates", () => {
    expect(hashed('{"\\u2029k": "a\\u2028b"}')).toBe('{"\\u2029k":"a\\u2028b"}');
    expect(hashed('["\\udc00x", "x\\ud800", "\\ud83d\\ude00\\u2028"]')).toBe('["\ufffdx","x\ufffd","😀\\u2028"]');
  });
});
