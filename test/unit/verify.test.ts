import { spawnSync } from "node:child_process";
import { createHash, createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompactSign } from "jose";
import { describe, expect, it } from "vitest";
import { bundleSigner, signBundle, type BundleSigner, type SignerOptions } from "../../compiler/build/sign.js";
import { canonicalJson } from "../../core/canonical-json.js";
import { hashBundleFile, opaHashedJson, SIGNATURES_FILE } from "../../core/bundle-signing.js";
import { verifyBundle, type BundleVerification } from "../../wasm/verify.js";
import { hmacSecret, keyPair } from "../helpers/signing.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const FILES: ReadonlyArray<readonly [string, Uint8Array]> = [
  [".manifest", text('{"revision":"r1","roots":["gatehouse"]}')],
  ["data.json", text('{"gatehouse":{"policy":{"revision":"r1"}}}')],
  ["gatehouse/decision.rego", text("package gatehouse\n")],
  ["policy.wasm", Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0])],
];

function signer(material: string | Uint8Array, options: SignerOptions = {}): BundleSigner {
  const result = bundleSigner(typeof material === "string" ? text(material) : material, options);
  if (!result.ok) throw new Error(result.message);
  return result.signer;
}

/** The files plus a `.signatures.json` made by the Gatehouse signer. */
async function signed(with_: BundleSigner, files = FILES): Promise<Map<string, Uint8Array>> {
  const result = await signBundle(files, with_);
  if (!result.ok) throw new Error(result.message);
  return new Map([[SIGNATURES_FILE, result.signatures], ...files]);
}

/** The files plus a `.signatures.json` holding `tokens` as given. */
function withTokens(tokens: readonly string[], files = FILES): Map<string, Uint8Array> {
  return new Map([[SIGNATURES_FILE, text(JSON.stringify({ signatures: tokens }))], ...files]);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A compact JWS over `claims` with the given header, signed with `key` (any algorithm jose knows). */
function jws(
  header: { alg: string; kid?: string },
  claims: unknown,
  key: Parameters<CompactSign["sign"]>[0],
): Promise<string> {
  return new CompactSign(text(JSON.stringify(claims))).setProtectedHeader(header).sign(key);
}

/** OPA's file list for FILES, with `algorithm` for every hash (digests computed with node:crypto). */
function fileList(algorithm = "SHA-256", files = FILES): Array<{ name: string; hash: string; algorithm: string }> {
  const node: Record<string, string> = { "SHA-256": "sha256", MD5: "md5", "SHA-1": "sha1", "SHA-512": "sha512" };
  return files.map(([name, bytes]) => ({
    name,
    algorithm,
    hash: createHash(node[algorithm]!)
      .update(name.endsWith(".json") || name === ".manifest" ? opaHashedJson(bytes)! : bytes)
      .digest("hex"),
  }));
}

async function outcome(files: ReadonlyMap<string, Uint8Array>, verification?: BundleVerification): Promise<string> {
  const result = await verifyBundle(files, verification);
  return result.ok ? "ok" : `${result.error.code}: ${result.error.message}`;
}

describe("verifyBundle", () => {
  const rsa = keyPair("rsa");
  const other = keyPair("rsa", "other");
  const ec = keyPair("ec-p256");
  const secret = hmacSecret();
  // Signed inside each test, not in a hook: the mutation run then knows which test reaches which code.
  const rsaSignedBundle = () => signed(signer(rsa.privateKey));

  it("accepts an unsigned bundle when no key is configured, and a signed one with its key", async () => {
    const rsaSigned = await rsaSignedBundle();
    expect(await verifyBundle(new Map(FILES), undefined)).toEqual({ ok: true });
    expect(await verifyBundle(rsaSigned, { key: rsa.publicKey })).toEqual({
      ok: true,
      signature: { algorithm: "RS256", keyId: "default", files: 4 },
    });
    const es = await signed(signer(ec.privateKey, { algorithm: "ES256", keyId: "ci" }));
    expect(await outcome(es, { key: ec.publicKey, algorithm: "ES256", keyId: "ci" })).toBe("ok");
    const hs = await signed(signer(secret, { algorithm: "HS256" }));
    expect(await outcome(hs, { key: secret, algorithm: "HS256" })).toBe("ok");
  });

  it("signs every supported algorithm so that it verifies", async () => {
    const keys = {
      RS: [rsa.privateKey, rsa.publicKey],
      PS: [rsa.privateKey, rsa.publicKey],
      ES256: [ec.privateKey, ec.publicKey],
      ES384: [keyPair("ec-p384").privateKey, keyPair("ec-p384").publicKey],
      HS: [hmacSecret(64), undefined],
    } as const;
    for (const algorithm of ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"] as const) {
      const [priv, pub] =
        keys[algorithm.startsWith("ES") ? (algorithm as "ES256" | "ES384") : (algorithm.slice(0, 2) as "RS" | "PS")];
      const files = await signed(signer(priv, { algorithm }));
      expect([algorithm, await outcome(files, { key: pub, algorithm })]).toEqual([algorithm, "ok"]);
    }
    for (const algorithm of ["HS256", "HS384", "HS512"] as const) {
      const files = await signed(signer(keys.HS[0], { algorithm }));
      expect([algorithm, await outcome(files, { key: keys.HS[0], algorithm })]).toEqual([algorithm, "ok"]);
    }
  });

  it("signs deterministically with RS256 and HS256, not with ES256 (a random nonce per signature)", async () => {
    const rsaSigned = await rsaSignedBundle();
    const again = await signed(signer(rsa.privateKey));
    expect(again.get(SIGNATURES_FILE)).toEqual(rsaSigned.get(SIGNATURES_FILE));
    const hs = signer(secret, { algorithm: "HS256" });
    expect((await signed(hs)).get(SIGNATURES_FILE)).toEqual((await signed(hs)).get(SIGNATURES_FILE));
    const es = signer(ec.privateKey, { algorithm: "ES256" });
    expect((await signed(es)).get(SIGNATURES_FILE)).not.toEqual((await signed(es)).get(SIGNATURES_FILE));
  });

  it("SIGNATURE_MISSING: a key is configured and the signature was stripped", async () => {
    const rsaSigned = await rsaSignedBundle();
    const stripped = new Map(rsaSigned);
    stripped.delete(SIGNATURES_FILE);
    expect(await outcome(stripped, { key: rsa.publicKey })).toBe(
      "SIGNATURE_MISSING: the bundle has no `.signatures.json`, but a verification key is configured",
    );
  });

  it("VERIFICATION_KEY_MISSING: a signed bundle is refused when no key is configured", async () => {
    const rsaSigned = await rsaSignedBundle();
    expect(await outcome(rsaSigned, undefined)).toBe(
      "VERIFICATION_KEY_MISSING: the bundle is signed, but no verification key is configured to check `.signatures.json`",
    );
  });

  it("SIGNATURE_KEY_MISMATCH: signed by another key, or naming another key id", async () => {
    const rsaSigned = await rsaSignedBundle();
    expect(await outcome(rsaSigned, { key: other.publicKey })).toBe(
      "SIGNATURE_KEY_MISMATCH: the signature does not verify with the configured key",
    );
    const sameKid = await signed(signer(other.privateKey));
    expect(await outcome(sameKid, { key: rsa.publicKey, keyId: "default" })).toBe(
      "SIGNATURE_KEY_MISMATCH: the signature does not verify with the configured key",
    );
    expect(await outcome(rsaSigned, { key: rsa.publicKey, keyId: "prod-2025" })).toBe(
      "SIGNATURE_KEY_MISMATCH: the bundle is signed with key `default`, but key `prod-2025` is configured",
    );
    const claimOnly = withTokens([
      await jws({ alg: "RS256" }, { files: fileList(), keyid: "old" }, createPrivateKey(rsa.privateKey)),
    ]);
    expect(await outcome(claimOnly, { key: rsa.publicKey, keyId: "new" })).toBe(
      "SIGNATURE_KEY_MISMATCH: the bundle is signed with key `old`, but key `new` is configured",
    );
    expect(await outcome(claimOnly, { key: rsa.publicKey })).toBe("ok");
  });

  it("SIGNATURE_ALGORITHM_REFUSED: `none`, another algorithm than configured, HMAC over a public key", async () => {
    const none = `${b64({ alg: "none" })}.${b64({ files: fileList() })}.`;
    expect(await outcome(withTokens([none]), { key: rsa.publicKey })).toBe(
      "SIGNATURE_ALGORITHM_REFUSED: the signature uses `none`: an unsigned token is never accepted",
    );
    const es = await signed(signer(ec.privateKey, { algorithm: "ES256" }));
    expect(await outcome(es, { key: rsa.publicKey })).toBe(
      "SIGNATURE_ALGORITHM_REFUSED: the signature uses `ES256`, but only `RS256` is configured",
    );
    // The classic confusion: an HMAC keyed with the verifier's public key, which is public.
    const confused = await jws({ alg: "HS256" }, { files: fileList() }, text(rsa.publicKey));
    expect(await outcome(withTokens([confused]), { key: rsa.publicKey })).toBe(
      "SIGNATURE_ALGORITHM_REFUSED: the signature uses `HS256`, but only `RS256` is configured",
    );
    expect(await outcome(withTokens([confused]), { key: rsa.publicKey, algorithm: "HS256" })).toBe(
      "VERIFICATION_KEY_INVALID: a PEM key cannot be a HS256 secret",
    );
  });

  it("SIGNATURE_ALGORITHM_REFUSED: file hashes weaker than SHA-256, though OPA accepts them", async () => {
    const key = createPrivateKey(rsa.privateKey);
    for (const weak of ["MD5", "SHA-1"]) {
      const token = await jws({ alg: "RS256" }, { files: fileList(weak) }, key);
      expect(await outcome(withTokens([token]), { key: rsa.publicKey })).toBe(
        `SIGNATURE_ALGORITHM_REFUSED: \`.manifest\` is hashed with \`${weak}\`; only SHA-256, SHA-384, SHA-512 and SHA-512-256 are accepted`,
      );
    }
    const strong = await jws({ alg: "RS256" }, { files: fileList("SHA-512") }, key);
    expect(await outcome(withTokens([strong]), { key: rsa.publicKey })).toBe("ok");
  });

  it("SIGNATURE_SCOPE_MISMATCH: the scope must equal the configured one (none means none)", async () => {
    const rsaSigned = await rsaSignedBundle();
    const scoped = await signed(signer(rsa.privateKey, { scope: "write" }));
    expect(await outcome(scoped, { key: rsa.publicKey, scope: "write" })).toBe("ok");
    expect(await outcome(scoped, { key: rsa.publicKey, scope: "read" })).toBe(
      "SIGNATURE_SCOPE_MISMATCH: the signature has scope `write`, but `read` is configured",
    );
    expect(await outcome(scoped, { key: rsa.publicKey })).toBe(
      "SIGNATURE_SCOPE_MISMATCH: the signature has scope `write`, but no scope is configured",
    );
    expect(await outcome(rsaSigned, { key: rsa.publicKey, scope: "read" })).toBe(
      "SIGNATURE_SCOPE_MISMATCH: the signature has no scope, but `read` is configured",
    );
  });

  it("SIGNATURE_FILE_UNLISTED: a file added after signing", async () => {
    const rsaSigned = await rsaSignedBundle();
    const added = new Map(rsaSigned).set("gatehouse/backdoor.rego", text("package gatehouse\n"));
    expect(await outcome(added, { key: rsa.publicKey })).toBe(
      "SIGNATURE_FILE_UNLISTED: the signature does not cover `gatehouse/backdoor.rego`",
    );
    const nested = new Map(rsaSigned).set("extra/data.json", text("{}"));
    expect(await outcome(nested, { key: rsa.publicKey })).toBe(
      "SIGNATURE_FILE_UNLISTED: the signature does not cover `extra/data.json`",
    );
  });

  it("SIGNATURE_FILE_MISSING: a signed file removed from the bundle", async () => {
    const rsaSigned = await rsaSignedBundle();
    const removed = new Map(rsaSigned);
    removed.delete("gatehouse/decision.rego");
    expect(await outcome(removed, { key: rsa.publicKey })).toBe(
      "SIGNATURE_FILE_MISSING: the signature lists `gatehouse/decision.rego`, missing from the bundle",
    );
    const token = await jws(
      { alg: "RS256" },
      { files: [...fileList(), { name: "/data.json", hash: "00", algorithm: "SHA-256" }] },
      createPrivateKey(rsa.privateKey),
    );
    expect(await outcome(withTokens([token]), { key: rsa.publicKey })).toBe(
      "SIGNATURE_FILE_MISSING: the signature lists `/data.json`, missing from the bundle",
    );
  });

  it("SIGNATURE_FILE_HASH_MISMATCH: one byte changed in any file; JSON reformatting is not a change", async () => {
    const rsaSigned = await rsaSignedBundle();
    for (const [name, bytes] of FILES) {
      const changed = Uint8Array.from(bytes);
      const at = name === "policy.wasm" ? 6 : bytes.indexOf(0x61); // the first `a`: `gatehouse`, `package`
      expect(at).toBeGreaterThan(0);
      changed[at] = changed[at]! + 1;
      expect(await outcome(new Map(rsaSigned).set(name, changed), { key: rsa.publicKey })).toBe(
        `SIGNATURE_FILE_HASH_MISMATCH: \`${name}\` does not match its signed SHA-256 hash`,
      );
    }
    const reformatted = new Map(rsaSigned).set(
      "data.json",
      text('{ "gatehouse": { "policy": { "revision": "r1" } } }\n'),
    );
    expect(await outcome(reformatted, { key: rsa.publicKey })).toBe("ok");
    const broken = new Map(rsaSigned).set("data.json", text('{"gatehouse":'));
    expect(await outcome(broken, { key: rsa.publicKey })).toBe(
      "SIGNATURE_FILE_HASH_MISMATCH: `data.json` is not valid JSON, so it cannot match its signed hash",
    );
    // A repeated key reads as its last value in Go, in JSON.parse and in the WebAssembly
    // runtime alike, so it hashes (and is accepted) as that value, as OPA does.
    const dup = (first: string, last: string) =>
      new Map(rsaSigned).set(
        "data.json",
        text(`{"gatehouse":{"policy":{"revision":"${first}","revision":"${last}"}}}`),
      );
    expect(await outcome(dup("r0", "r1"), { key: rsa.publicKey })).toBe("ok");
    expect(await outcome(dup("r1", "r0"), { key: rsa.publicKey })).toBe(
      "SIGNATURE_FILE_HASH_MISMATCH: `data.json` does not match its signed SHA-256 hash",
    );
  });

  it("SIGNATURE_FILE_UNSUPPORTED: a signed YAML data file", async () => {
    const yaml = text("a: 1\n");
    const files = [...FILES, ["gatehouse/data.yaml", yaml] as const];
    const list = [
      ...fileList(),
      { name: "gatehouse/data.yaml", hash: createHash("sha256").update(yaml).digest("hex"), algorithm: "SHA-256" },
    ];
    const token = await jws({ alg: "RS256" }, { files: list }, createPrivateKey(rsa.privateKey));
    expect(await outcome(withTokens([token], files), { key: rsa.publicKey })).toBe(
      "SIGNATURE_FILE_UNSUPPORTED: `gatehouse/data.yaml` is a YAML data file, which cannot be verified",
    );
    expect(hashBundleFile("data.yml", yaml, "SHA-256")).toMatchObject({ ok: false, problem: "unsupported" });
  });

  it("SIGNATURE_INVALID: malformed signature files, tokens and claims", async () => {
    const rsaSigned = await rsaSignedBundle();
    const key = createPrivateKey(rsa.privateKey);
    const token = await jws({ alg: "RS256" }, { files: fileList() }, key);
    const cases: Array<[string, Map<string, Uint8Array>, string]> = [
      ["not JSON", new Map([...FILES, [SIGNATURES_FILE, text("{")]]), "`.signatures.json` is not valid JSON"],
      ["no list", new Map([...FILES, [SIGNATURES_FILE, text("{}")]]), "`.signatures.json` has no `signatures` list"],
      ["two JWTs", withTokens([token, token]), "`.signatures.json` must hold exactly one JWT"],
      ["no JWT", withTokens([]), "`.signatures.json` must hold exactly one JWT"],
      ["not compact", withTokens(["abc"]), "the signature is not a JWT in compact form"],
      [
        "a plugin",
        new Map([...FILES, [SIGNATURES_FILE, text(JSON.stringify({ signatures: [token], plugin: "kms" }))]]),
        "the bundle is signed by the plugin `kms`, which Gatehouse cannot verify",
      ],
      [
        "claims without files",
        withTokens([await jws({ alg: "RS256" }, { keyid: "x" }, key)]),
        "the signed claims are not OPA's `files`, `keyid`, `scope`, `iat` and `iss`",
      ],
      [
        "a file without a hash",
        withTokens([await jws({ alg: "RS256" }, { files: [{ name: "data.json", algorithm: "SHA-256" }] }, key)]),
        "a signed file entry lacks a string `name`, `hash` or `algorithm`",
      ],
      [
        "a file listed twice",
        withTokens([await jws({ alg: "RS256" }, { files: [...fileList(), fileList()[1]] }, key)]),
        "the signature lists `data.json` twice",
      ],
      [
        "a signatures file below the root",
        new Map([...rsaSigned, ["gatehouse/.signatures.json", rsaSigned.get(SIGNATURES_FILE)!]]),
        "the bundle has a signatures file outside its root: `.signatures.json`, `gatehouse/.signatures.json`",
      ],
    ];
    for (const [what, files, message] of cases)
      expect([what, await outcome(files, { key: rsa.publicKey })]).toEqual([what, `SIGNATURE_INVALID: ${message}`]);
    // OPA writes `"plugin": "_default"`; that is the default verifier, and accepted.
    const withDefault = new Map([
      ...FILES,
      [SIGNATURES_FILE, text(JSON.stringify({ signatures: [token], plugin: "_default" }))],
    ]);
    expect(await outcome(withDefault, { key: rsa.publicKey })).toBe("ok");
  });

  it("VERIFICATION_KEY_INVALID: a key that cannot verify the configured algorithm", async () => {
    const cases: Array<[BundleVerification, string]> = [
      [{ key: rsa.privateKey }, "the verification key is a private key; configure its public key"],
      [{ key: "not a key" }, "the verification key is not a PEM public key or certificate for RS256"],
      [{ key: ec.publicKey }, "RS256 needs an RSA key, not an ECDSA key on P-256"],
      [
        { key: keyPair("ec-p384").publicKey, algorithm: "ES256" },
        "ES256 needs an ECDSA key on curve P-256, not an ECDSA key on P-384",
      ],
      [{ key: "short", algorithm: "HS256" }, "the HS256 secret is 5 bytes; it needs at least 32"],
      [{ key: hmacSecret(40), algorithm: "HS512" }, "the HS512 secret is 40 bytes; it needs at least 64"],
      [{ key: rsa.publicKey, algorithm: "none" as "RS256" }, "`none` is not a supported signing algorithm"],
    ];
    for (const [verification, message] of cases)
      expect(await outcome(new Map(FILES), verification)).toBe(`VERIFICATION_KEY_INVALID: ${message}`);
  });
});

describe("bundleSigner", () => {
  it("refuses keys that cannot sign the algorithm, with a hint", () => {
    const cases: Array<[string | Uint8Array, SignerOptions, string]> = [
      [keyPair("rsa").publicKey, {}, "it is a public key"],
      ["secret", {}, "it is not an unencrypted PEM private key for RS256"],
      [keyPair("ec-p256").privateKey, {}, "RS256 needs an RSA key, not an ECDSA key on P-256"],
      [keyPair("rsa").privateKey, { algorithm: "ES256" }, "ES256 needs an ECDSA key on curve P-256, not an RSA key"],
      [keyPair("rsa").privateKey, { algorithm: "HS256" }, "a PEM key cannot be a HS256 secret"],
      ["too short", { algorithm: "HS256" }, "the HS256 secret is 9 bytes; it needs at least 32"],
      [keyPair("rsa-1024").privateKey, {}, "RS256 needs an RSA key of at least 2048 bits, not 1024"],
      [
        keyPair("rsa-1024").privateKey,
        { algorithm: "PS256" },
        "PS256 needs an RSA key of at least 2048 bits, not 1024",
      ],
      [
        keyPair("rsa-pss").privateKey,
        { algorithm: "PS256" },
        "PS256 needs a plain RSA key; a key restricted to RSA-PSS is not supported (PS algorithms use a plain RSA key)",
      ],
      [
        keyPair("rsa-pss").privateKey,
        { algorithm: "ES256" },
        "ES256 needs an ECDSA key on curve P-256, not an RSA-PSS key",
      ],
    ];
    for (const [material, options, message] of cases) {
      const result = bundleSigner(typeof material === "string" ? text(material) : material, options);
      expect(result).toMatchObject({ ok: false, message, hint: expect.any(String) as string });
    }
  });

  it("writes OPA's claims: every file with its SHA-256, `keyid`, and `scope` when given", async () => {
    const result = await signBundle(FILES, signer(keyPair("rsa").privateKey, { keyId: "ci", scope: "prod" }));
    if (!result.ok) throw new Error(result.message);
    const { signatures } = JSON.parse(new TextDecoder().decode(result.signatures)) as { signatures: string[] };
    expect(signatures).toHaveLength(1);
    const [header, claims] = signatures[0]!
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()) as unknown);
    expect(header).toEqual({ alg: "RS256", kid: "ci", typ: "JWT" });
    expect(claims).toEqual({ files: fileList(), keyid: "ci", scope: "prod" });
    expect(canonicalJson(claims)).toContain('{"algorithm":"SHA-256","hash":"');
  });
});

describe("verifyBundle: one rule per test", () => {
  const rsa = keyPair("rsa");
  const other = keyPair("rsa", "other");
  const rsaKey = createPrivateKey(rsa.privateKey);
  const key = { key: rsa.publicKey };
  /** The files with a `.signatures.json` holding one token over `claims` (RS256, the test key). */
  const signedClaims = async (claims: unknown, header: { alg: string; kid?: string } = { alg: "RS256" }) =>
    withTokens([await jws(header, claims, rsaKey)]);

  it("an RSA public key under 2048 bits is refused for verification", async () => {
    expect(await outcome(new Map(FILES), { key: keyPair("rsa-1024").publicKey })).toBe(
      "VERIFICATION_KEY_INVALID: RS256 needs an RSA key of at least 2048 bits, not 1024",
    );
  });

  it("a key restricted to RSA-PSS is refused up front for PS and RS (PS uses a plain RSA key)", async () => {
    const pss = keyPair("rsa-pss");
    for (const algorithm of ["PS256", "PS512", "RS256"] as const)
      expect(await outcome(new Map(FILES), { key: pss.publicKey, algorithm })).toBe(
        `VERIFICATION_KEY_INVALID: ${algorithm} needs a plain RSA key; a key restricted to RSA-PSS is not supported (PS algorithms use a plain RSA key)`,
      );
    const plain = await signed(signer(rsa.privateKey, { algorithm: "PS384" }));
    expect(await outcome(plain, { key: rsa.publicKey, algorithm: "PS384" })).toBe("ok");
  });

  it("a token without a key id, while a key id is configured, is checked against the configured key", async () => {
    const anonymous = await signedClaims({ files: fileList() });
    // Strict: the outcome names no key id at all, not an undefined one.
    expect(await verifyBundle(anonymous, { ...key, keyId: "prod" })).toStrictEqual({
      ok: true,
      signature: { algorithm: "RS256", files: 4 },
    });
    const byOther = withTokens([
      await jws({ alg: "RS256" }, { files: fileList() }, createPrivateKey(other.privateKey)),
    ]);
    expect(await outcome(byOther, { ...key, keyId: "prod" })).toBe(
      "SIGNATURE_KEY_MISMATCH: the signature does not verify with the configured key",
    );
  });

  it("the header `kid` takes precedence over a differing payload `keyid`", async () => {
    const files = await signedClaims({ files: fileList(), keyid: "claim" }, { alg: "RS256", kid: "header" });
    expect(await verifyBundle(files, { ...key, keyId: "header" })).toEqual({
      ok: true,
      signature: { algorithm: "RS256", keyId: "header", files: 4 },
    });
    expect(await outcome(files, { ...key, keyId: "claim" })).toBe(
      "SIGNATURE_KEY_MISMATCH: the bundle is signed with key `header`, but key `claim` is configured",
    );
  });

  it("claims with a non-string `keyid`, `scope` or `iss`, or a non-number `iat`, are refused", async () => {
    const refused = "SIGNATURE_INVALID: the signed claims are not OPA's `files`, `keyid`, `scope`, `iat` and `iss`";
    for (const extra of [{ keyid: 1 }, { scope: ["write"] }, { iss: null }, { iat: "1700000000" }, { iat: null }])
      expect([extra, await outcome(await signedClaims({ files: fileList(), ...extra }), key)]).toEqual([
        extra,
        refused,
      ]);
    const wellTyped = { keyid: "default", scope: "", iss: "ci", iat: 1700000000 };
    expect(await outcome(await signedClaims({ files: fileList(), ...wellTyped }), key)).toBe("ok");
    expect(await outcome(await signedClaims([fileList()]), key)).toBe(refused);
    expect(await outcome(await signedClaims({ files: { ".manifest": "00" } }), key)).toBe(refused);
  });

  it("one malformed file entry among good ones refuses the signature", async () => {
    const good = fileList();
    for (const bad of [{ ...good[0]!, hash: 7 }, { ...good[0]!, name: null }, "data.json", null, [good[0]]]) {
      const files = await signedClaims({ files: [bad, ...good.slice(1)] });
      expect([bad, await outcome(files, key)]).toEqual([
        bad,
        "SIGNATURE_INVALID: a signed file entry lacks a string `name`, `hash` or `algorithm`",
      ]);
    }
  });

  it("a signature that lists `.signatures.json` itself is refused", async () => {
    const self = { name: SIGNATURES_FILE, hash: "00", algorithm: "SHA-256" };
    expect(await outcome(await signedClaims({ files: [...fileList(), self] }), key)).toBe(
      "SIGNATURE_FILE_MISSING: the signature lists `.signatures.json`, missing from the bundle",
    );
  });

  it("invalid UTF-8 in `.signatures.json` is refused, even inside a JSON string", async () => {
    const token = await jws({ alg: "RS256" }, { files: fileList() }, rsaKey);
    const bytes = Buffer.concat([
      Buffer.from(`{"signatures":["${token}"],"note":"`),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    expect(await outcome(new Map([...FILES, [SIGNATURES_FILE, bytes]]), key)).toBe(
      "SIGNATURE_INVALID: `.signatures.json` is not valid JSON",
    );
  });

  it("invalid UTF-8 in the signed claims is refused, even inside a JSON string", async () => {
    const claims = Buffer.concat([
      Buffer.from(`{"files":${JSON.stringify(fileList())},"iss":"`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const token = await new CompactSign(claims).setProtectedHeader({ alg: "RS256" }).sign(rsaKey);
    expect(await outcome(withTokens([token]), key)).toBe("SIGNATURE_INVALID: the signed claims are not valid JSON");
  });

  it("a signature that verifies but whose claims are not JSON is refused", async () => {
    const token = await new CompactSign(text("files")).setProtectedHeader({ alg: "RS256" }).sign(rsaKey);
    expect(await outcome(withTokens([token]), key)).toBe("SIGNATURE_INVALID: the signed claims are not valid JSON");
  });
});

describe("verifyBundle: keys, lists and encodings", () => {
  const rsa = keyPair("rsa");
  const rsaKey = createPrivateKey(rsa.privateKey);
  const key = { key: rsa.publicKey };
  const signedClaims = async (claims: unknown) => withTokens([await jws({ alg: "RS256" }, claims, rsaKey)]);

  it("ES512 signs with a P-521 key and verifies; another curve is refused, named", async () => {
    const p521 = keyPair("ec-p521");
    const files = await signed(signer(p521.privateKey, { algorithm: "ES512" }));
    expect(await outcome(files, { key: p521.publicKey, algorithm: "ES512" })).toBe("ok");
    expect(await outcome(files, { key: keyPair("ec-p256").publicKey, algorithm: "ES512" })).toBe(
      "VERIFICATION_KEY_INVALID: ES512 needs an ECDSA key on curve P-521, not an ECDSA key on P-256",
    );
    expect(await outcome(files, { key: keyPair("ec-secp256k1").publicKey, algorithm: "ES256" })).toBe(
      "VERIFICATION_KEY_INVALID: ES256 needs an ECDSA key on curve P-256, not an ECDSA key on secp256k1",
    );
    expect(await outcome(files, { key: keyPair("ed25519").publicKey })).toBe(
      "VERIFICATION_KEY_INVALID: RS256 needs an RSA key, not an ed25519 key",
    );
  });

  it("a verification key may be given as bytes, and an HMAC secret must not look like PEM in its first 4 KiB", async () => {
    const secret = new TextEncoder().encode(hmacSecret(64));
    const files = await signed(signer(secret, { algorithm: "HS256" }));
    expect(await outcome(files, { key: secret, algorithm: "HS256" })).toBe("ok");
    expect(await outcome(files, { key: new TextEncoder().encode(rsa.publicKey) })).toBe(
      "SIGNATURE_ALGORITHM_REFUSED: the signature uses `HS256`, but only `RS256` is configured",
    );
    const late = `${"k".repeat(4096)}-----BEGIN `;
    const lateFiles = await signed(signer(late, { algorithm: "HS256" }));
    expect(await outcome(lateFiles, { key: late, algorithm: "HS256" })).toBe("ok");
  });

  it("a certificate verifies with its public key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-cert-"));
    writeFileSync(join(dir, "key.pem"), rsa.privateKey);
    const made = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-new",
        "-key",
        join(dir, "key.pem"),
        "-subj",
        "/CN=gatehouse-test",
        "-days",
        "1",
        "-out",
        join(dir, "cert.pem"),
      ],
      { encoding: "utf8" },
    );
    expect(made.status, made.stderr).toBe(0);
    const cert = readFileSync(join(dir, "cert.pem"), "utf8");
    expect(await outcome(await signed(signer(rsa.privateKey)), { key: cert })).toBe("ok");
    const truncated = `${cert.split("\n").slice(0, 3).join("\n")}\n-----END CERTIFICATE-----\n`;
    expect(await outcome(new Map(FILES), { key: truncated })).toBe(
      "VERIFICATION_KEY_INVALID: the verification key is not a PEM public key or certificate for RS256",
    );
  });

  it("`plugin` may be absent, empty or `_default`; anything else is refused, named", async () => {
    const token = await jws({ alg: "RS256" }, { files: fileList() }, rsaKey);
    const withPlugin = (plugin: unknown) =>
      new Map([...FILES, [SIGNATURES_FILE, text(JSON.stringify({ signatures: [token], plugin }))]]);
    expect(await outcome(withPlugin(""), key)).toBe("ok");
    expect(await outcome(withPlugin(7), key)).toBe(
      "SIGNATURE_INVALID: the bundle is signed by the plugin `7`, which Gatehouse cannot verify",
    );
    expect(await outcome(withPlugin(["kms"]), key)).toBe(
      'SIGNATURE_INVALID: the bundle is signed by the plugin `["kms"]`, which Gatehouse cannot verify',
    );
    expect(await outcome(withTokens([7 as unknown as string]), key)).toBe(
      "SIGNATURE_INVALID: `.signatures.json` must hold exactly one JWT",
    );
    expect(await outcome(new Map([...FILES, [SIGNATURES_FILE, text('{"signatures":{}}')]]), key)).toBe(
      "SIGNATURE_INVALID: `.signatures.json` has no `signatures` list",
    );
    expect(await outcome(new Map([...FILES, [SIGNATURES_FILE, text("null")]]), key)).toBe(
      "SIGNATURE_INVALID: `.signatures.json` has no `signatures` list",
    );
  });

  it("claims that are JSON null, and a signature part that is not base64url, are refused without throwing", async () => {
    expect(await outcome(await signedClaims(null), key)).toBe(
      "SIGNATURE_INVALID: the signed claims are not OPA's `files`, `keyid`, `scope`, `iat` and `iss`",
    );
    const token = await jws({ alg: "RS256" }, { files: fileList() }, rsaKey);
    const broken = `${token.slice(0, token.lastIndexOf(".") + 1)}***`;
    expect(await outcome(withTokens([broken]), key)).toMatch(/^SIGNATURE_INVALID: the signature is malformed: ./);
  });

  it("names unlisted and missing files in order, at most three and a count", async () => {
    const extra = ["e.rego", "b.rego", "d.rego", "a.rego", "c.rego"];
    const added = new Map(await signedClaims({ files: fileList() }));
    for (const name of extra) added.set(name, text(""));
    expect(await outcome(added, key)).toBe(
      "SIGNATURE_FILE_UNLISTED: the signature does not cover `a.rego`, `b.rego`, `c.rego` and 2 more",
    );
    const three = new Map(await signedClaims({ files: fileList() }));
    for (const name of extra.slice(0, 3)) three.set(name, text(""));
    expect(await outcome(three, key)).toBe(
      "SIGNATURE_FILE_UNLISTED: the signature does not cover `b.rego`, `d.rego`, `e.rego`",
    );
    const ghosts = ["z.rego", "y.rego"].map((name) => ({ name, hash: "00", algorithm: "SHA-256" }));
    expect(await outcome(await signedClaims({ files: [...fileList(), ...ghosts] }), key)).toBe(
      "SIGNATURE_FILE_MISSING: the signature lists `y.rego`, `z.rego`, missing from the bundle",
    );
  });

  it("accepts file hashes in upper case, and SHA-384 and SHA-512-256; refuses an algorithm name that is an object key", async () => {
    const upper = fileList().map((f) => ({ ...f, hash: f.hash.toUpperCase() }));
    expect(await outcome(await signedClaims({ files: upper }), key)).toBe("ok");
    for (const [name, node] of [
      ["SHA-384", "sha384"],
      ["SHA-512-256", "sha512-256"],
    ] as const) {
      const list = FILES.map(([file, bytes]) => ({
        name: file,
        algorithm: name,
        hash: createHash(node)
          .update(file.endsWith(".json") || file === ".manifest" ? opaHashedJson(bytes)! : bytes)
          .digest("hex"),
      }));
      expect([name, await outcome(await signedClaims({ files: list }), key)]).toEqual([name, "ok"]);
    }
    const proto = fileList().map((f) => ({ ...f, algorithm: "toString" }));
    expect(await outcome(await signedClaims({ files: proto }), key)).toBe(
      "SIGNATURE_ALGORITHM_REFUSED: `.manifest` is hashed with `toString`; only SHA-256, SHA-384, SHA-512 and SHA-512-256 are accepted",
    );
  });
});
