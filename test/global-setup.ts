import { findOpa, isOpaBinary } from "../compiler/build/index.js";
import { actionlint } from "./helpers/actionlint.js";
import { regal } from "./helpers/regal.js";

/**
 * Makes sure the pinned `opa`, `actionlint` and `regal` exist before any test runs (building
 * them from tools/ on a fresh machine), so tests never race to build them and a missing
 * toolchain fails once, clearly.
 */
export default function setup(): void {
  const found = findOpa({ onProgress: (line) => process.stderr.write(`[global-setup] ${line}\n`) });
  if (!isOpaBinary(found)) throw new Error(`${found.message}\n${found.hint}`);
  actionlint((line) => process.stderr.write(`[global-setup] ${line}\n`));
  regal((line) => process.stderr.write(`[global-setup] ${line}\n`));
}
