/**
 * verifyBundle checks the token's `alg` twice: against the configured algorithm before verifying,
 * and again through the JOSE library's allowlist while verifying. This file bypasses the first
 * check (its header reader is made to report the configured algorithm) to show that the second
 * holds on its own.
 */
import type * as joseModule from "jose";
import { CompactSign } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SIGNATURES_FILE } from "../../core/bundle-signing.js";
import { signBundle } from "../../compiler/build/sign.js";
import { verifyBundle } from "../../wasm/verify.js";
import { hmacSecret } from "../helpers/signing.js";

const lie = vi.hoisted(() => ({ alg: undefined as string | undefined }));

vi.mock("jose", async (importOriginal) => {
  const jose = await importOriginal<typeof joseModule>();
  return {
    ...jose,
    decodeProtectedHeader: (token: string) =>
      lie.alg === undefined
        ? jose.decodeProtectedHeader(token)
        : { ...jose.decodeProtectedHeader(token), alg: lie.alg },
  };
});

afterEach(() => {
  lie.alg = undefined;
});

describe("the algorithm allowlist", () => {
  it("holds even if the header check were bypassed: an HS384 token is refused where HS256 is configured", async () => {
    const secret = new TextEncoder().encode(hmacSecret(64));
    const files: Array<[string, Uint8Array]> = [["data.json", new TextEncoder().encode("{}")]];
    const signed = await signBundle(files, { algorithm: "HS384", keyId: "default", key: secret });
    if (!signed.ok) throw new Error(signed.message);
    const bundle = new Map([...files, [SIGNATURES_FILE, signed.signatures]]);
    // Both algorithms accept this secret, so only the allowlist tells them apart.
    expect(await verifyBundle(bundle, { key: secret, algorithm: "HS384" })).toMatchObject({ ok: true });
    lie.alg = "HS256";
    const outcome = await verifyBundle(bundle, { key: secret, algorithm: "HS256" });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.message).toMatch(/^the signature is malformed: .*"alg".*not allowed/);
  });

  it("is the configured algorithm, not the token's: a forged header cannot widen it", async () => {
    const secret = new TextEncoder().encode(hmacSecret(64));
    const token = await new CompactSign(new TextEncoder().encode('{"files":[]}'))
      .setProtectedHeader({ alg: "HS512" })
      .sign(secret);
    lie.alg = "HS256";
    const outcome = await verifyBundle(
      new Map([[SIGNATURES_FILE, new TextEncoder().encode(JSON.stringify({ signatures: [token] }))]]),
      {
        key: secret,
        algorithm: "HS256",
      },
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: "SIGNATURE_INVALID" } });
  });
});
