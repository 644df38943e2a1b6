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
  | "MEMORY_LIMIT";

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
