/**
 * What signing and verifying a bundle share: OPA's signature format, how OPA hashes each file,
 * and which algorithms and keys Gatehouse accepts. The compiler signs with it, the runtime
 * verifies with it, so both agree by construction.
 */
import { createHash, type KeyObject } from "node:crypto";
import { isLosslessNumber, parse } from "lossless-json";

/** The file that carries a bundle's signature, at the bundle root (OPA's name). */
export const SIGNATURES_FILE = ".signatures.json";

/** The JWS algorithms bundles are signed with: OPA's RSA, RSA-PSS, ECDSA and HMAC families. */
export const SIGNING_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "HS256",
  "HS384",
  "HS512",
] as const;

/** A JWS algorithm Gatehouse signs and verifies bundles with. */
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** The algorithm used when none is given, as in OPA. */
export const DEFAULT_SIGNING_ALGORITHM: SigningAlgorithm = "RS256";

/** The key id written when none is given, as `opa build --signing-key` does. */
export const DEFAULT_KEY_ID = "default";

/** True for a JWS algorithm Gatehouse supports. */
export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  // `includes` compares without conversion: only one of the listed strings matches.
  return (SIGNING_ALGORITHMS as readonly unknown[]).includes(value);
}

/** True for the HMAC algorithms, whose key is a shared secret rather than a key pair. */
export function isHmacAlgorithm(algorithm: SigningAlgorithm): boolean {
  return algorithm.startsWith("HS");
}

/**
 * The file hash algorithms a signature may use, with their node:crypto names: SHA-256 or
 * stronger. OPA also accepts MD5, SHA-1, SHA-224 and SHA-512-224; Gatehouse refuses them.
 */
export const FILE_HASH_ALGORITHMS = {
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
  "SHA-512-256": "sha512-256",
} as const;

/** A file hash algorithm Gatehouse accepts. */
export type FileHashAlgorithm = keyof typeof FILE_HASH_ALGORITHMS;

/** The file hash algorithm Gatehouse signs with (OPA's default). */
export const DEFAULT_FILE_HASH_ALGORITHM: FileHashAlgorithm = "SHA-256";

/** True for a file hash algorithm Gatehouse accepts. */
export function isFileHashAlgorithm(value: unknown): value is FileHashAlgorithm {
  return typeof value === "string" && Object.hasOwn(FILE_HASH_ALGORITHMS, value);
}

/** One entry of a signature's file list (OPA's `FileInfo`): a bundle path without leading `/`. */
export interface SignedFile {
  readonly name: string;
  readonly hash: string;
  readonly algorithm: string;
}

/** The claims of a bundle signature (OPA's `DecodedSignature`). */
export interface SignaturePayload {
  readonly files: readonly SignedFile[];
  /** OPA's deprecated key id claim; the JWT header's `kid` takes precedence. */
  readonly keyid?: string;
  readonly scope?: string;
}

/** The content of `.signatures.json`. */
export interface SignaturesFile {
  readonly signatures: readonly string[];
  readonly plugin?: string;
}

/** The outcome of hashing a bundle file: its hex digest, or why it has none. */
export type FileDigest =
  | { readonly ok: true; readonly hash: string }
  | { readonly ok: false; readonly problem: "malformed" | "unsupported"; readonly message: string };

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * How OPA hashes a file: JSON (`data.json` and `.manifest` at any depth) and YAML (`data.yaml`,
 * `data.yml`) as structured data, parsed with keys sorted; anything else as its raw bytes.
 */
export function structuredKind(path: string): "json" | "yaml" | undefined {
  const base = basename(path);
  if (base === "data.json" || base === ".manifest") return "json";
  if (base === "data.yaml" || base === "data.yml") return "yaml";
  return undefined;
}

/**
 * Hashes a bundle file as OPA's bundle signing does (`v1/bundle/hash.go`): raw bytes for most
 * files; for structured files, the digest of the document re-encoded the way Go's
 * encoding/json writes it, so that whitespace and key order do not matter. YAML data files are
 * unsupported: OPA hashes their YAML-to-JSON conversion, which Gatehouse does not reproduce.
 */
export function hashBundleFile(path: string, bytes: Uint8Array, algorithm: FileHashAlgorithm): FileDigest {
  const hash = createHash(FILE_HASH_ALGORITHMS[algorithm]);
  const kind = structuredKind(path);
  if (kind === undefined) return { ok: true, hash: hash.update(bytes).digest("hex") };
  if (kind === "yaml")
    return { ok: false, problem: "unsupported", message: `\`${path}\` is a YAML data file, which cannot be verified` };
  const canonical = opaHashedJson(bytes);
  if (canonical === undefined) return { ok: false, problem: "malformed", message: `\`${path}\` is not valid JSON` };
  return { ok: true, hash: hash.update(canonical).digest("hex") };
}

/**
 * True when a structured file's raw bytes hash to `expected`: then they are the very text the
 * signer hashed (a SHA-256 preimage), which is valid JSON of the signed document, and need no
 * re-encoding. Gatehouse writes its JSON files in that form, so verifying its own bundles
 * costs one pass of the hash.
 */
export function rawBytesMatch(bytes: Uint8Array, algorithm: FileHashAlgorithm, expected: string): boolean {
  return createHash(FILE_HASH_ALGORITHMS[algorithm]).update(bytes).digest("hex") === expected.toLowerCase();
}

/**
 * The text OPA hashes for a structured file: the JSON parsed with numbers kept as written (Go's
 * `json.Number`) and a repeated key resolved to its last value (as Go and the WebAssembly
 * runtime both read it), object keys sorted in code point order (Go's byte-wise string
 * order), strings escaped as Go's encoder does without HTML escaping, no whitespace. Undefined
 * for text that is not strict JSON in UTF-8.
 */
export function opaHashedJson(bytes: Uint8Array): string | undefined {
  let text: string;
  let value: unknown;
  try {
    // A leading byte order mark is dropped, as OPA drops it.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    // JSON.parse is several times faster than lossless-json, and exact whenever every number
    // is written as JavaScript would print it, which is the common case.
    value = numbersPrintAsWritten(text)
      ? JSON.parse(text)
      : parse(text, undefined, { onDuplicateKey: ({ newValue }) => newValue });
  } catch {
    return undefined;
  }
  return goJson(value);
}

/**
 * True when JSON.stringify would print every number of the JSON `text` exactly as written. The
 * digits inside strings are not numbers: strings are matched whole and skipped.
 */
function numbersPrintAsWritten(text: string): boolean {
  // A fresh pattern per call: its `lastIndex` starts at 0.
  const tokens = /"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*/g;
  for (let m = tokens.exec(text); m !== null; m = tokens.exec(text)) {
    const token = m[0];
    if (token.charCodeAt(0) !== 0x22 && JSON.stringify(Number(token)) !== token) return false;
  }
  return true;
}

function goJson(value: unknown): string {
  if (typeof value === "string") return goString(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return JSON.stringify(value);
  if (isLosslessNumber(value)) return value.value;
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + goJson(value[i]);
    return `${out}]`;
  }
  // INVARIANT: both parsers yield only strings, numbers, booleans, null, LosslessNumbers, arrays
  // and plain objects.
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  // UTF-16 order is code point order unless a key holds a surrogate (a character past U+FFFF).
  // Stryker disable next-line ConditionalExpression,Regex: always taking the comparator (also what the negated class does: nearly every key has a character outside the surrogates, and keys of surrogates only sort alike both ways) is the exact slow path; never taking it is pinned by the astral-key tests
  keys.sort(keys.some((k) => /[\ud800-\udfff]/.test(k)) ? compareCodePoints : undefined);
  let out = "{";
  for (let i = 0; i < keys.length; i++) out += `${i > 0 ? "," : ""}${goString(keys[i]!)}:${goJson(object[keys[i]!])}`;
  return `${out}}`;
}

/**
 * A string as Go's encoding/json writes it with HTML escaping off. JSON.stringify agrees on
 * everything (`\b \f \n \r \t`, `\u00XX` for other controls) except that Go also escapes
 * U+2028 and U+2029, and its decoder has already turned a lone surrogate into U+FFFD.
 */
function goString(value: string): string {
  // Stryker disable next-line ConditionalExpression: never taking the fast path is the exact slow path; always taking it is pinned by the U+2028 and surrogate tests
  if (!/[\u2028\u2029\ud800-\udfff]/.test(value)) return JSON.stringify(value);
  return JSON.stringify(
    value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"),
  ).replace(/[\u2028\u2029]/g, (c) => (c === "\u2028" ? "\\u2028" : "\\u2029"));
}

/** Orders strings by code point, as Go orders UTF-8 strings (JS's `<` compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    // Stryker disable next-line ConditionalExpression,BlockStatement: when the code points are equal, so are their low surrogates; skipping them only saves a comparison
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** The shortest HMAC secret for an algorithm: as long as its hash output (RFC 7518 §3.2). */
export function minimumSecretBytes(algorithm: SigningAlgorithm): number {
  return Number(algorithm.slice(2)) / 8;
}

const EC_CURVES: Partial<Record<SigningAlgorithm, string>> = {
  ES256: "prime256v1",
  ES384: "secp384r1",
  ES512: "secp521r1",
};

const EC_CURVE_NAMES: Record<string, string> = {
  prime256v1: "P-256",
  secp384r1: "P-384",
  secp521r1: "P-521",
};

/**
 * Why an asymmetric key cannot be used with an algorithm, or undefined when it can: RS and PS
 * need RSA of at least 2048 bits, ES256/384/512 need ECDSA on P-256/384/521 respectively. A key
 * restricted to RSA-PSS (`rsa-pss` type) is refused for PS too: the JOSE library cannot sign or
 * verify with one, so accepting it would only fail later, less clearly. PS signs with a plain
 * RSA key.
 */
export function asymmetricKeyProblem(key: KeyObject, algorithm: SigningAlgorithm): string | undefined {
  const type = key.asymmetricKeyType;
  if (algorithm.startsWith("RS") || algorithm.startsWith("PS")) {
    if (type === "rsa-pss")
      return `${algorithm} needs a plain RSA key; a key restricted to RSA-PSS is not supported (PS algorithms use a plain RSA key)`;
    if (type !== "rsa") return `${algorithm} needs an RSA key, not ${describeKeyType(key)}`;
    const bits = key.asymmetricKeyDetails!.modulusLength!;
    if (bits < 2048) return `${algorithm} needs an RSA key of at least 2048 bits, not ${bits}`;
    return undefined;
  }
  const curve = EC_CURVES[algorithm];
  if (curve === undefined) return `${algorithm} does not use a key pair`;
  // node:crypto names a curve only for an EC (ECDSA) key; every asymmetric key has its details.
  if (key.asymmetricKeyDetails!.namedCurve !== curve)
    return `${algorithm} needs an ECDSA key on curve ${EC_CURVE_NAMES[curve]}, not ${describeKeyType(key)}`;
  return undefined;
}

/** Names an asymmetric key's type (and curve): only asymmetric keys get here, and an EC key always names its curve. */
function describeKeyType(key: KeyObject): string {
  const type = key.asymmetricKeyType!;
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails!.namedCurve!;
    return `an ECDSA key on ${EC_CURVE_NAMES[curve] ?? curve}`;
  }
  if (type === "rsa" || type === "rsa-pss") return `an ${type.toUpperCase()} key`;
  return `an ${type} key`;
}

/** True when key material is PEM text, which must never be used as an HMAC secret. */
export function looksLikePem(material: Uint8Array): boolean {
  return new TextDecoder().decode(material.subarray(0, 4096)).includes("-----BEGIN ");
}
