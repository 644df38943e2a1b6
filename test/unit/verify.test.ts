import { createHash, createPrivateKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashBundleFile, SIGNATURES_FILE } from "../../core/bundle-signing.js";
import { verifyBundle, type BundleVerification } from "../../wasm/verify.js";
import { hmacSecret, keyPair } from "../helpers/signing.js";
import { text, FILES, signer, signed, withTokens, b64, jws, fileList, outcome } from "../helpers/verify.js";

/** The signature verification of a bundle, against OPA's bundle signing format. */

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
