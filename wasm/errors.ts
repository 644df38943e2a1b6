/** Why a bundle could not be loaded. Every load failure carries one of these codes. */
export type BundleErrorCode =
  | "BUNDLE_UNREADABLE"
  | "BUNDLE_TOO_LARGE"
  | "BUNDLE_CORRUPT"
  | "BUNDLE_ENTRY_NOT_A_FILE"
  | "BUNDLE_ENTRY_PATH_UNSAFE"
  | "BUNDLE_ENTRY_DUPLICATE"
  | "BUNDLE_FILE_MISSING"
  | "MANIFEST_INVALID"
  | "DATA_INVALID"
  | "WASM_INVALID"
  | "MEMORY_LIMIT"
  /** Loading the policy (instantiate, setData, the probe decision) passed the load time bound. */
  | "LOAD_TIMEOUT"
  | SignatureErrorCode;

/**
 * Why a bundle failed signature verification (wasm/verify.ts); one code per failure, so an
 * operator can tell a stripped signature from a tampered file or a wrong key.
 */
export type SignatureErrorCode =
  /** The configured verification key (or secret) cannot verify the configured algorithm. */
  | "VERIFICATION_KEY_INVALID"
  /** The bundle is signed, but no verification key is configured. */
  | "VERIFICATION_KEY_MISSING"
  /** A verification key is configured, but the bundle has no `.signatures.json`. */
  | "SIGNATURE_MISSING"
  /** `.signatures.json` or its JWT is malformed, or it holds other than exactly one JWT. */
  | "SIGNATURE_INVALID"
  /** The JWT uses `none` or another algorithm than the configured one, or a file hash weaker than SHA-256. */
  | "SIGNATURE_ALGORITHM_REFUSED"
  /** The signature does not verify with the configured key, or names another key id. */
  | "SIGNATURE_KEY_MISMATCH"
  /** The signature's `scope` differs from the configured one. */
  | "SIGNATURE_SCOPE_MISMATCH"
  /** A file of the bundle is not in the signed file list. */
  | "SIGNATURE_FILE_UNLISTED"
  /** The signed file list names a file the bundle does not have. */
  | "SIGNATURE_FILE_MISSING"
  /** A file's content does not match its signed hash. */
  | "SIGNATURE_FILE_HASH_MISMATCH"
  /** A signed file Gatehouse cannot check: a YAML data file. */
  | "SIGNATURE_FILE_UNSUPPORTED";

/** A bundle that the runtime refused to load; nothing from it is used. */
export class BundleError extends Error {
  override readonly name = "BundleError";
  constructor(
    readonly code: BundleErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Options given to the runtime that it cannot honour (a programming error, reported before any work). */
export class OptionsError extends Error {
  override readonly name = "OptionsError";
  readonly code = "OPTIONS_INVALID";
}

/** Why a worker pool could not decide: it was closed, or a worker could not start or died. */
export type PoolErrorCode = "POOL_CLOSED" | "WORKER_FAILED";

/** A failure of the worker pool itself; the requests it concerns were not decided. */
export class PoolError extends Error {
  override readonly name = "PoolError";
  constructor(
    readonly code: PoolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
