import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { buildGoTool, findGo, pinnedToolVersion, toolBinPath, type GoToolSpec } from "../../compiler/build/go-tool.js";

/** A Go tool the tests run, pinned by tools/<name>/go.mod, and how it states its version. */
export interface PinnedGoTool {
  readonly spec: GoToolSpec;
  /** The tool's name in messages. */
  readonly label: string;
  /** The arguments that make it print its version. */
  readonly versionArgs: readonly string[];
  /** Captures the bare version (no `v`) in its version output. */
  readonly versionPattern: RegExp;
  /** Its environment, when the process's own will not do. */
  readonly env?: NodeJS.ProcessEnv;
}

function versionOf(tool: PinnedGoTool, path: string): string | undefined {
  const run = spawnSync(path, tool.versionArgs, { encoding: "utf8", timeout: 30_000, env: tool.env ?? process.env });
  return run.status === 0 ? tool.versionPattern.exec(run.stdout)?.[1] : undefined;
}

/**
 * The pinned tool: `<GATEHOUSE_TOOLS_DIR or .tools>/bin/<name>` when it is the pinned version,
 * otherwise built there from tools/<name> with the local Go, like opa (compiler/build/go-tool.ts).
 * Throws when it cannot be.
 */
export function pinnedGoTool(tool: PinnedGoTool, onProgress: (line: string) => void = () => {}): string {
  const { spec, label } = tool;
  const path = toolBinPath(spec.name);
  const pinned = pinnedToolVersion(spec);
  if (existsSync(path) && versionOf(tool, path) === pinned) return path;
  const go = findGo(process.env);
  if (go === undefined) throw new Error(`${label} is built from tools/${spec.name} with Go, and Go is not installed`);
  const built = buildGoTool(spec, go, process.env, onProgress);
  if (typeof built !== "string") throw new Error(`${built.message}\n${built.hint}`);
  if (versionOf(tool, built) !== pinned)
    throw new Error(`the ${label} built from tools/${spec.name} is not v${pinned}`);
  return built;
}
