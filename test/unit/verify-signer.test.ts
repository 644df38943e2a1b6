import { describe, expect, it } from "vitest";
import { bundleSigner, signBundle, type SignerOptions } from "../../compiler/build/sign.js";
import { canonicalJson } from "../../core/canonical-json.js";
import { keyPair } from "../helpers/signing.js";
import { text, FILES, signer, fileList } from "../helpers/verify.js";

/** The Gatehouse bundle signer, against OPA's bundle signing format. */

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
