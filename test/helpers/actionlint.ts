import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { buildGoTool, findGo, pinnedToolVersion, toolBinPath, type GoToolSpec } from "../../compiler/build/go-tool.js";

/** actionlint, pinned by tools/actionlint/go.mod and built like opa (compiler/build/go-tool.ts). */
export const ACTIONLINT: GoToolSpec = {
  name: "actionlint",
  module: "github.com/rhysd/actionlint",
  package: "github.com/rhysd/actionlint/cmd/actionlint",
};

function versionOf(path: string): string | undefined {
  const run = spawnSync(path, ["-version"], { encoding: "utf8", timeout: 30_000 });
  return run.status === 0 ? /^v?([0-9]+\.[0-9]+\.[0-9]+)/.exec(run.stdout)?.[1] : undefined;
}

/**
 * The pinned actionlint: `<GATEHOUSE_TOOLS_DIR or .tools>/bin/actionlint` when it is the pinned
 * version, otherwise built there from tools/actionlint with the local Go. Throws when it cannot be.
 */
export function actionlint(onProgress: (line: string) => void = () => {}): string {
  const path = toolBinPath(ACTIONLINT.name);
  const pinned = pinnedToolVersion(ACTIONLINT);
  if (existsSync(path) && versionOf(path) === pinned) return path;
  const go = findGo(process.env);
  if (go === undefined) throw new Error("actionlint is built from tools/actionlint with Go, and Go is not installed");
  const built = buildGoTool(ACTIONLINT, go, process.env, onProgress);
  if (typeof built !== "string") throw new Error(`${built.message}\n${built.hint}`);
  if (versionOf(built) !== pinned) throw new Error(`the actionlint built from tools/actionlint is not v${pinned}`);
  return built;
}
