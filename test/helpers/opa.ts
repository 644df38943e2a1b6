import { spawnSync } from "node:child_process";
import { findOpa, isOpaBinary, type OpaBinary } from "../../compiler/build/index.js";

let cached: OpaBinary | undefined;

/** The pinned opa binary (global setup already built it). */
export function opa(): OpaBinary {
  if (cached) return cached;
  const found = findOpa({ build: false });
  if (!isOpaBinary(found)) throw new Error(found.message);
  cached = found;
  return found;
}

/** Runs opa with `args`; returns status and output. */
export function runOpa(
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): { status: number; stdout: string; stderr: string } {
  const run = spawnSync(opa().path, [...args], {
    cwd: options.cwd,
    input: options.input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}
