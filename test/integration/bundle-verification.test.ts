import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleSigner } from "../../compiler/build/index.js";
import { packageRoot } from "../../core/package-root.js";
import { Authorizer, BundleError, type AuthorizerOptions } from "../../wasm/index.js";
import { compile } from "../../compiler/pipeline.js";
import { opa } from "../helpers/opa.js";
import { bundleFiles, flipByte, keyPair, repack } from "../helpers/signing.js";
import { opaHashedJson } from "../../core/bundle-signing.js";

const quickstart = join(packageRoot(), "examples", "quickstart");

async function refusal(bundle: Uint8Array, options: AuthorizerOptions): Promise<string> {
  try {
    await Authorizer.load(bundle, options);
  } catch (error) {
    if (error instanceof BundleError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return "loaded";
}

describe("Authorizer.load verifies a signed quick-start bundle before instantiating it", () => {
  const signing = keyPair("rsa");
  const verification = { key: signing.publicKey };
  let signed: Uint8Array;
  beforeAll(async () => {
    const signer = bundleSigner(new TextEncoder().encode(signing.privateKey));
    if (!signer.ok) throw new Error(signer.message);
    const c = await compile(quickstart, { opa: opa(), signer: signer.signer });
    signed = c.built!.bundle;
  });

  it("loads it with the signer's public key and decides", async () => {
    const authorizer = await Authorizer.load(signed, { verification });
    expect(authorizer.revision).toMatch(/^[0-9a-f]{32}$/);
  });

  it("writes its JSON files in the form OPA hashes, so verifying them costs one hash pass", async () => {
    const files = await bundleFiles(signed);
    for (const name of ["data.json", ".manifest"]) {
      const bytes = files.get(name)!;
      expect([name, opaHashedJson(bytes)]).toEqual([name, new TextDecoder().decode(bytes)]);
    }
  });

  it.each([
    ["policy.wasm", "SIGNATURE_FILE_HASH_MISMATCH: `policy.wasm` does not match its signed SHA-256 hash"],
    ["data.json", "SIGNATURE_FILE_HASH_MISMATCH: `data.json` is not valid JSON, so it cannot match its signed hash"],
    // Unpacking reads the manifest before verification, and refuses it first.
    [".manifest", "MANIFEST_INVALID: `.manifest` is not valid JSON"],
    [
      "gatehouse/facts.rego",
      "SIGNATURE_FILE_HASH_MISMATCH: `gatehouse/facts.rego` does not match its signed SHA-256 hash",
    ],
  ])("refuses it with one byte of %s flipped", async (file, message) => {
    const tampered = await repack(signed, (files) => files.set(file, flipByte(files.get(file)!)));
    expect(await refusal(tampered, { verification })).toBe(message);
  });

  it("refuses it with a data.json value changed in valid JSON", async () => {
    const tampered = await repack(signed, (files) => {
      const text = new TextDecoder().decode(files.get("data.json"));
      files.set("data.json", new TextEncoder().encode(text.replace('"blocked":true', '"blocked":false')));
      expect(files.get("data.json")!.byteLength).toBe(text.length + 1);
    });
    expect(await refusal(tampered, { verification })).toBe(
      "SIGNATURE_FILE_HASH_MISMATCH: `data.json` does not match its signed SHA-256 hash",
    );
  });

  it("refuses it with one character of the manifest's revision changed", async () => {
    const tampered = await repack(signed, (files) => {
      const text = new TextDecoder().decode(files.get(".manifest"));
      const revision = /"revision":"([0-9a-f])/.exec(text)!;
      const other = revision[1] === "0" ? "1" : "0";
      files.set(".manifest", new TextEncoder().encode(text.replace(revision[0], `"revision":"${other}`)));
    });
    expect(await refusal(tampered, { verification })).toBe(
      "SIGNATURE_FILE_HASH_MISMATCH: `.manifest` does not match its signed SHA-256 hash",
    );
  });

  it("refuses it with the signature removed, or checked with another key", async () => {
    const stripped = await repack(signed, (files) => files.delete(".signatures.json"));
    expect(await refusal(stripped, { verification })).toBe(
      "SIGNATURE_MISSING: the bundle has no `.signatures.json`, but a verification key is configured",
    );
    expect(await refusal(signed, { verification: { key: keyPair("rsa", "other").publicKey } })).toBe(
      "SIGNATURE_KEY_MISMATCH: the signature does not verify with the configured key",
    );
  });

  it("refuses it with a file added, and a signed file removed", async () => {
    const added = await repack(signed, (files) =>
      files.set("gatehouse/extra.rego", new TextEncoder().encode("package x\n")),
    );
    expect(await refusal(added, { verification })).toBe(
      "SIGNATURE_FILE_UNLISTED: the signature does not cover `gatehouse/extra.rego`",
    );
    const removed = await repack(signed, (files) => files.delete("gatehouse/net.rego"));
    expect(await refusal(removed, { verification })).toBe(
      "SIGNATURE_FILE_MISSING: the signature lists `gatehouse/net.rego`, missing from the bundle",
    );
  });

  it("is not built when signing fails after the key was accepted (GH403)", async () => {
    // Only a signer made by hand, bypassing bundleSigner's checks, can reach this.
    const signer = { algorithm: "RS256", keyId: "k", key: new Uint8Array(32) } as const;
    const c = await compile(quickstart, { opa: opa(), signer });
    expect(c.built).toBeUndefined();
    expect(c.diagnostics).toMatchObject([
      {
        code: "GH403",
        severity: "error",
        file: "bundle",
        message: expect.stringMatching(/^cannot sign the bundle: signing failed: /) as string,
      },
    ]);
  });

  it("refuses it without a key configured (a signature asks to be verified)", async () => {
    expect(await refusal(signed, {})).toBe(
      "VERIFICATION_KEY_MISSING: the bundle is signed, but no verification key is configured to check `.signatures.json`",
    );
  });
});
