import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../../core/package-root.js";

/** Resident memory of a fresh Node process around loading one bundle. */
export interface ProcessRss {
  /** After importing the runtime, before loading (a GC first). */
  readonly baselineBytes: number;
  /** After `Authorizer.load` and one decision (a GC first). */
  readonly loadedBytes: number;
  readonly wasmMemoryBytes: number;
}

const SCRIPT = `
const [runtime, path] = process.argv.slice(-2);
const { Authorizer } = await import(runtime);
globalThis.gc();
const baselineBytes = process.memoryUsage().rss;
const authorizer = await Authorizer.load(path);
authorizer.decide({});
globalThis.gc();
const loadedBytes = process.memoryUsage().rss;
process.stdout.write(JSON.stringify({ baselineBytes, loadedBytes, wasmMemoryBytes: authorizer.memoryUsage().bytes }));
`;

/**
 * Loads `bundlePath` in a fresh Node process running the built runtime (dist/), so the RSS
 * is the runtime's and the bundle's alone, not the benchmark's; a message when it cannot.
 */
export function processRss(bundlePath: string): ProcessRss | string {
  const runtime = pathToFileURL(join(packageRoot(), "dist", "wasm", "index.js")).href;
  const run = spawnSync(
    process.execPath,
    ["--expose-gc", "--input-type=module", "-e", SCRIPT, "--", runtime, bundlePath],
    { encoding: "utf8" },
  );
  if (run.status !== 0) return (run.stderr || "the process failed").trim().split("\n")[0]!;
  return JSON.parse(run.stdout) as ProcessRss;
}
