import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { buildGoTool, findGo, onPath, pinnedToolVersion, toolBinPath, type GoToolSpec } from "./go-tool.js";

/** A usable `opa` binary and where it came from. */
export interface OpaBinary {
  readonly path: string;
  readonly version: string;
  readonly origin: "OPA_BIN" | "tools" | "PATH" | "built";
}

/** Why no `opa` could be found or built, in words for the CLI to print (exit code 2). */
export interface OpaUnavailable {
  readonly message: string;
  readonly hint: string;
}

/** Options of `findOpa`. */
export interface FindOpaOptions {
  /** Environment to read `OPA_BIN` and `PATH` from (defaults to the process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Called with progress lines while building; the library itself never prints. */
  readonly onProgress?: (line: string) => void;
  /** Build from tools/opa when no usable binary exists (default true). */
  readonly build?: boolean;
}

/** How `opa` is built from tools/opa: `opa_wasm` is the tag OPA's own release builds use, so opa can evaluate WebAssembly bundles. */
const OPA_TOOL: GoToolSpec = { name: "opa", module: "github.com/open-policy-agent/opa", tags: ["opa_wasm"] };

/** The OPA version pinned by tools/opa/go.mod, without the leading `v`. */
export function pinnedOpaVersion(): string {
  return pinnedToolVersion(OPA_TOOL);
}

/**
 * Where a built `opa` is kept: `$GATEHOUSE_TOOLS_DIR/bin/opa` when that is set (e.g. a cache
 * shared by several checkouts), otherwise `.tools/bin/opa` under the package root.
 */
export function toolsOpaPath(env: NodeJS.ProcessEnv = process.env): string {
  return toolBinPath("opa", env);
}

/**
 * The version an `opa` binary reports, or undefined when it does not run. A binary built without
 * WebAssembly support reports its version with a `-nowasm` suffix, so it never matches the pin.
 */
export function opaVersionOf(path: string): string | undefined {
  const run = spawnSync(path, ["version"], { encoding: "utf8", timeout: 30_000 });
  if (run.status !== 0) return undefined;
  const version = /^Version:\s*(\S+)/m.exec(run.stdout)?.[1];
  if (version === undefined) return undefined;
  return /^WebAssembly:\s*available/m.test(run.stdout) ? version : `${version}-nowasm`;
}

function buildOpa(go: string, env: NodeJS.ProcessEnv, onProgress: (line: string) => void): string | OpaUnavailable {
  const built = buildGoTool(OPA_TOOL, go, env, onProgress);
  if (typeof built !== "string")
    return { ...built, hint: `${built.hint}, or set OPA_BIN to an opa binary of the pinned version` };
  return built;
}

/**
 * Finds the `opa` binary: `$OPA_BIN`, then `.tools/bin/opa`, then `opa` on PATH, each checked
 * against the version pinned in tools/opa; when none fits, builds it from tools/opa with Go.
 */
export function findOpa(options: FindOpaOptions = {}): OpaBinary | OpaUnavailable {
  const env = options.env ?? process.env;
  const pinned = pinnedOpaVersion();
  const fromEnv = env.OPA_BIN;
  if (fromEnv !== undefined && fromEnv !== "") {
    const version = opaVersionOf(fromEnv);
    if (version === undefined)
      return {
        message: `OPA_BIN=${fromEnv} does not run as \`opa version\``,
        hint: "point OPA_BIN at an opa binary, or unset it",
      };
    if (version !== pinned) {
      return {
        message: `OPA_BIN=${fromEnv} is opa ${version}, but Gatehouse pins ${pinned}`,
        hint: `use opa ${pinned}, or unset OPA_BIN to let Gatehouse build it`,
      };
    }
    return { path: fromEnv, version, origin: "OPA_BIN" };
  }
  const tools = toolsOpaPath(env);
  if (existsSync(tools) && opaVersionOf(tools) === pinned) return { path: tools, version: pinned, origin: "tools" };
  const system = onPath(process.platform === "win32" ? "opa.exe" : "opa", env);
  if (system && opaVersionOf(system) === pinned) return { path: system, version: pinned, origin: "PATH" };
  const go = findGo(env);
  if (options.build === false || go === undefined) {
    return {
      message: `no opa ${pinned} found (OPA_BIN unset, none at ${tools}, none on PATH) and Go is not installed to build it`,
      hint: `install Go (https://go.dev/dl/) so Gatehouse can build the pinned opa itself, or install opa ${pinned} and set OPA_BIN to it`,
    };
  }
  const built = buildOpa(go, env, options.onProgress ?? (() => {}));
  if (typeof built !== "string") return built;
  const version = opaVersionOf(built);
  if (version !== pinned)
    return {
      message: `the opa built from tools/opa reports version ${version ?? "(none)"}, not ${pinned}`,
      hint: "check tools/opa/go.mod",
    };
  return { path: built, version, origin: "built" };
}

/** True when `findOpa` returned a binary. */
export function isOpaBinary(found: OpaBinary | OpaUnavailable): found is OpaBinary {
  return "path" in found;
}
