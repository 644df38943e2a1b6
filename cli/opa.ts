import { findOpa, isOpaBinary, type OpaBinary } from "../compiler/build/index.js";
import { CliError, EXIT, type Io } from "./io.js";
import { startProgress } from "./progress.js";

/**
 * Finds or builds `opa`, reporting progress on stderr (on a terminal, a line with the time spent
 * while it builds); a missing toolchain ends with exit code 2.
 */
export function requireOpa(io: Io): OpaBinary {
  let stop: (() => void) | undefined;
  const onProgress = (line: string): void => {
    stop?.();
    stop = undefined;
    io.stderr(`gatehouse: ${line}\n`);
    if (line.startsWith("building opa") && io.isTTY && process.stderr.isTTY === true)
      stop = startProgress("gatehouse: building opa…");
  };
  let found;
  try {
    found = findOpa({ env: io.env, onProgress });
  } finally {
    stop?.();
  }
  if (!isOpaBinary(found)) throw new CliError(found.message, EXIT.usage, found.hint, "GH400");
  return found;
}
