import { generateKeyPairSync, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readArchive, writeArchive } from "../../core/bundle-archive.js";
import { tempDir } from "./policy.js";

/** A PEM key pair. */
export interface KeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

const cache = new Map<string, KeyPair>();

/**
 * A fresh key pair per kind and label for this test file (never committed): RSA 2048, RSA-PSS
 * 2048, ECDSA, or an RSA 1024 key that signing and verification must refuse.
 */
export function keyPair(
  kind: "rsa" | "rsa-1024" | "rsa-pss" | "ec-p256" | "ec-p384" | "ec-p521" | "ec-secp256k1" | "ed25519",
  label = "a",
): KeyPair {
  const id = `${kind}/${label}`;
  const found = cache.get(id);
  if (found) return found;
  const publicKeyEncoding = { type: "spki", format: "pem" } as const;
  const privateKeyEncoding = { type: "pkcs8", format: "pem" } as const;
  const pair: KeyPair =
    kind === "rsa" || kind === "rsa-1024"
      ? generateKeyPairSync("rsa", {
          modulusLength: kind === "rsa" ? 2048 : 1024,
          publicKeyEncoding,
          privateKeyEncoding,
        })
      : kind === "rsa-pss"
        ? generateKeyPairSync("rsa-pss", { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding })
        : kind === "ed25519"
          ? generateKeyPairSync("ed25519", { publicKeyEncoding, privateKeyEncoding })
          : generateKeyPairSync("ec", {
              namedCurve: { "ec-p256": "P-256", "ec-p384": "P-384", "ec-p521": "P-521", "ec-secp256k1": "secp256k1" }[
                kind
              ],
              publicKeyEncoding,
              privateKeyEncoding,
            });
  cache.set(id, pair);
  return pair;
}

/** A random HMAC secret of `bytes` printable characters (hex), as a secret file would hold it. */
export function hmacSecret(bytes = 64): string {
  return randomBytes(Math.ceil(bytes / 2))
    .toString("hex")
    .slice(0, bytes);
}

/** Writes `content` to a fresh temporary file named `name` and returns its path. */
export function keyFile(name: string, content: string | Uint8Array): string {
  const path = join(tempDir("gatehouse-keys-"), name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** The files of a bundle, in archive order; fails the test on a bundle it cannot read. */
export async function bundleFiles(bundle: Uint8Array): Promise<Map<string, Uint8Array>> {
  const archive = await readArchive(bundle);
  if (!archive.ok) throw new Error(`${archive.problem}: ${archive.message}`);
  return new Map(archive.files);
}

/** Unpacks a bundle, lets `edit` change its files, and packs them again in the same order. */
export async function repack(bundle: Uint8Array, edit: (files: Map<string, Uint8Array>) => void): Promise<Uint8Array> {
  const files = await bundleFiles(bundle);
  edit(files);
  return writeArchive([...files.entries()]);
}

/** A copy of `bytes` with the bits of the byte at `index` (default: the middle one) inverted. */
export function flipByte(bytes: Uint8Array, index = Math.floor(bytes.byteLength / 2)): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = copy[index]! ^ 0xff;
  return copy;
}
