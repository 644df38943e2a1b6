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
