/**
 * The runtime's version, written into decision-log labels. A constant rather than a read of
 * package.json, so that the runtime finds it however it is installed or bundled; a test keeps it
 * equal to the version in `wasm/package.json` and the main package's.
 */
export const RUNTIME_VERSION = "0.1.0";
