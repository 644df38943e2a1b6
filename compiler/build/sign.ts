import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import {
  DEFAULT_FILE_HASH_ALGORITHM,
  DEFAULT_KEY_ID,
  DEFAULT_SIGNING_ALGORITHM,
  asymmetricKeyProblem,
  hashBundleFile,
  isHmacAlgorithm,
  looksLikePem,
  minimumSecretBytes,
  type SignaturePayload,
  type SignedFile,
  type SigningAlgorithm,
} from "../../core/bundle-signing.js";
import { canonicalJson } from "../../core/canonical-json.js";

/** A signing key checked against its algorithm, with the key id and scope it signs with. */
export interface BundleSigner {
  readonly algorithm: SigningAlgorithm;
  readonly keyId: string;
  readonly scope?: string;
  readonly key: KeyObject | Uint8Array;
}

/** Options of `bundleSigner`. */
export interface SignerOptions {
  /** The JWS algorithm (default RS256, as in OPA). */
  readonly algorithm?: SigningAlgorithm;
  /** The key id written to the JWT header `kid` and OPA's `keyid` claim (default `default`, as in OPA). */
  readonly keyId?: string;
  /** The `scope` claim; verifiers configured with a scope accept only this one. */
  readonly scope?: string;
}

/** A usable signer, or why the key cannot sign (one lowercase line and a hint). */
export type SignerResult =
  | { readonly ok: true; readonly signer: BundleSigner }
  | { readonly ok: false; readonly message: string; readonly hint: string };

/**
 * Checks signing key material against its algorithm: for HS256/384/512 the bytes are the shared
 * secret exactly as given (as OPA reads a secret file), at least as long as the hash and never a
 * PEM key; for RS, PS and ES it is a PEM private key of the right type, size and curve.
 */
export function bundleSigner(material: Uint8Array, options: SignerOptions = {}): SignerResult {
  const algorithm = options.algorithm ?? DEFAULT_SIGNING_ALGORITHM;
  const base = {
    algorithm,
    keyId: options.keyId ?? DEFAULT_KEY_ID,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  };
  if (isHmacAlgorithm(algorithm)) {
    if (looksLikePem(material))
      return {
        ok: false,
        message: `a PEM key cannot be a ${algorithm} secret`,
        hint: "HMAC needs a shared secret; a key pair signs with RS256, PS256 or ES256",
      };
    if (material.byteLength < minimumSecretBytes(algorithm))
      return {
        ok: false,
        message: `the ${algorithm} secret is ${material.byteLength} bytes; it needs at least ${minimumSecretBytes(algorithm)}`,
        hint: "use a random secret as long as the hash (RFC 7518 §3.2), e.g. `openssl rand -base64 48`",
      };
    return { ok: true, signer: { ...base, key: material } };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(material), format: "pem" });
  } catch {
    const isPublic = (() => {
      try {
        createPublicKey({ key: Buffer.from(material), format: "pem" });
        return true;
      } catch {
        return false;
      }
    })();
    return isPublic
      ? {
          ok: false,
          message: "it is a public key",
          hint: "sign with the private key; verifiers get the public one",
        }
      : {
          ok: false,
          message: `it is not an unencrypted PEM private key for ${algorithm}`,
          hint: "give a PKCS#8, PKCS#1 or SEC1 PEM file without a passphrase, or choose an HS algorithm for a shared secret",
        };
  }
  const problem = asymmetricKeyProblem(key, algorithm);
  if (problem !== undefined)
    return { ok: false, message: problem, hint: "choose the signing algorithm that matches the key, or another key" };
  return { ok: true, signer: { ...base, key } };
}

/** The outcome of signing: the `.signatures.json` bytes, or why signing failed. */
export type SignatureResult =
  | { readonly ok: true; readonly signatures: Uint8Array; readonly files: readonly SignedFile[] }
  | { readonly ok: false; readonly message: string };

/**
 * Signs bundle files the way `opa build --signing-key` does: a JWT whose `files` claim lists
 * every file (bundle path without the leading `/`) with its SHA-256, hashed as OPA hashes it,
 * plus `keyid` and, when given, `scope`; returned as `.signatures.json`. RS and HS signatures
 * are deterministic; ECDSA signatures are not (each uses a fresh random nonce).
 */
export async function signBundle(
  files: ReadonlyArray<readonly [path: string, content: Uint8Array]>,
  signer: BundleSigner,
): Promise<SignatureResult> {
  const listed: SignedFile[] = [];
  for (const [name, content] of files) {
    const digest = hashBundleFile(name, content, DEFAULT_FILE_HASH_ALGORITHM);
    if (!digest.ok) return { ok: false, message: digest.message };
    listed.push({ name, hash: digest.hash, algorithm: DEFAULT_FILE_HASH_ALGORITHM });
  }
  const payload: SignaturePayload = {
    files: listed,
    keyid: signer.keyId,
    ...(signer.scope === undefined ? {} : { scope: signer.scope }),
  };
  try {
    // jose is loaded only when a bundle is signed: most builds are not, and it is 46 modules.
    const { CompactSign } = await import("jose");
    const token = await new CompactSign(new TextEncoder().encode(canonicalJson(payload)))
      .setProtectedHeader({ alg: signer.algorithm, kid: signer.keyId, typ: "JWT" })
      .sign(signer.key);
    return { ok: true, signatures: new TextEncoder().encode(canonicalJson({ signatures: [token] })), files: listed };
  } catch (error) {
    return { ok: false, message: `signing failed: ${(error as Error).message}` };
  }
}
