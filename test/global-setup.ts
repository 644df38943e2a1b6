import { findOpa, isOpaBinary } from "../compiler/build/index.js";

/**
 * Makes sure the pinned `opa` exists before any test runs (building it from tools/opa on a fresh
 * machine), so tests never race to build it and a missing toolchain fails once, clearly.
 */
export default function setup(): void {
  const found = findOpa({ onProgress: (line) => process.stderr.write(`[global-setup] ${line}\n`) });
  if (!isOpaBinary(found)) throw new Error(`${found.message}\n${found.hint}`);
}
