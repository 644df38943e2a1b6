import { pinnedOpaVersion } from "../../compiler/build/opa-toolchain.js";
import { gatehouseVersion } from "../../core/package-root.js";
import { RUNTIME_VERSION } from "../../wasm/version.js";
import { EXIT, type Io } from "../io.js";

/** `gatehouse version`: the versions a bug report needs, one `Name: value` per line, as `opa version` prints. */
export function runVersion(io: Io): number {
  io.stdout(
    [
      `Version: ${gatehouseVersion()}`,
      `Runtime: gatehouse-policy-runtime ${RUNTIME_VERSION}`,
      `OPA: ${pinnedOpaVersion()} (pinned; built from tools/opa or found as $OPA_BIN)`,
      `Node.js: ${process.version}`,
      `Platform: ${process.platform}/${process.arch}`,
      "",
    ].join("\n"),
  );
  return EXIT.ok;
}
