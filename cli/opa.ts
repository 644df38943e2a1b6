import { findOpa, isOpaBinary, type OpaBinary } from "../compiler/build/index.js";
import { CliError, EXIT, type Io } from "./io.js";

/** Finds or builds `opa`, reporting progress on stderr; a missing toolchain ends with exit code 2. */
export function requireOpa(io: Io): OpaBinary {
  const found = findOpa({ env: io.env, onProgress: (line) => io.stderr(`gatehouse: ${line}\n`) });
  if (!isOpaBinary(found)) throw new CliError(found.message, EXIT.usage, found.hint, "GH400");
  return found;
}
