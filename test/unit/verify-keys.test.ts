import { spawnSync } from "node:child_process";
import { createHash, createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { opaHashedJson, SIGNATURES_FILE } from "../../core/bundle-signing.js";
import { hmacSecret, keyPair } from "../helpers/signing.js";
import { text, FILES, signer, signed, withTokens, jws, fileList, outcome } from "../helpers/verify.js";

/** Verification: keys, file lists and encodings, against OPA's bundle signing format. */

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
