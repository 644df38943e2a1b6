/** What the bundle verification tests share: a small bundle, signers, hand-made tokens and file lists. */
import { createHash } from "node:crypto";
import { CompactSign } from "jose";
import { bundleSigner, signBundle, type BundleSigner, type SignerOptions } from "../../compiler/build/sign.js";
import { opaHashedJson, SIGNATURES_FILE } from "../../core/bundle-signing.js";
import { verifyBundle, type BundleVerification } from "../../wasm/verify.js";

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export const FILES: ReadonlyArray<readonly [string, Uint8Array]> = [
  [".manifest", text('{"revision":"r1","roots":["gatehouse"]}')],
  ["data.json", text('{"gatehouse":{"policy":{"revision":"r1"}}}')],
  ["gatehouse/decision.rego", text("package gatehouse\n")],
  ["policy.wasm", Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0])],
];

export function signer(material: string | Uint8Array, options: SignerOptions = {}): BundleSigner {
  const result = bundleSigner(typeof material === "string" ? text(material) : material, options);
  if (!result.ok) throw new Error(result.message);
  return result.signer;
}

/** The files plus a `.signatures.json` made by the Gatehouse signer. */
export async function signed(with_: BundleSigner, files = FILES): Promise<Map<string, Uint8Array>> {
  const result = await signBundle(files, with_);
  if (!result.ok) throw new Error(result.message);
  return new Map([[SIGNATURES_FILE, result.signatures], ...files]);
}

/** The files plus a `.signatures.json` holding `tokens` as given. */
export function withTokens(tokens: readonly string[], files = FILES): Map<string, Uint8Array> {
  return new Map([[SIGNATURES_FILE, text(JSON.stringify({ signatures: tokens }))], ...files]);
}

export const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A compact JWS over `claims` with the given header, signed with `key` (any algorithm jose knows). */
export function jws(
  header: { alg: string; kid?: string },
  claims: unknown,
  key: Parameters<CompactSign["sign"]>[0],
): Promise<string> {
  return new CompactSign(text(JSON.stringify(claims))).setProtectedHeader(header).sign(key);
}

/** OPA's file list for FILES, with `algorithm` for every hash (digests computed with node:crypto). */
export function fileList(
  algorithm = "SHA-256",
  files = FILES,
): Array<{ name: string; hash: string; algorithm: string }> {
  const node: Record<string, string> = { "SHA-256": "sha256", MD5: "md5", "SHA-1": "sha1", "SHA-512": "sha512" };
  return files.map(([name, bytes]) => ({
    name,
    algorithm,
    hash: createHash(node[algorithm]!)
      .update(name.endsWith(".json") || name === ".manifest" ? opaHashedJson(bytes)! : bytes)
      .digest("hex"),
  }));
}

export async function outcome(
  files: ReadonlyMap<string, Uint8Array>,
  verification?: BundleVerification,
): Promise<string> {
  const result = await verifyBundle(files, verification);
  return result.ok ? "ok" : `${result.error.code}: ${result.error.message}`;
}
