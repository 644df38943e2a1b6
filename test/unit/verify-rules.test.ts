import { createPrivateKey } from "node:crypto";
import { CompactSign } from "jose";
import { describe, expect, it } from "vitest";
import { SIGNATURES_FILE } from "../../core/bundle-signing.js";
import { verifyBundle } from "../../wasm/verify.js";
import { keyPair } from "../helpers/signing.js";
import { text, FILES, signer, signed, withTokens, jws, fileList, outcome } from "../helpers/verify.js";

/** Verification, one rule per test, against OPA's bundle signing format. */

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
