import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { packageRoot } from "../../core/package-root.js";

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

/** The OPA version pinned by tools/opa/go.mod, without the leading `v`. */
export function pinnedOpaVersion(): string {
  const goMod = readFileSync(join(packageRoot(), "tools", "opa", "go.mod"), "utf8");
  const match = /github\.com\/open-policy-agent\/opa v([0-9]+\.[0-9]+\.[0-9]+)/.exec(goMod);
  // INVARIANT: tools/opa/go.mod is part of the package and requires OPA.
  if (!match?.[1]) throw new Error("gatehouse: tools/opa/go.mod does not pin github.com/open-policy-agent/opa");
  return match[1];
}

/**
 * Where a built `opa` is kept: `$GATEHOUSE_TOOLS_DIR/bin/opa` when that is set (e.g. a cache
 * shared by several checkouts), otherwise `.tools/bin/opa` under the package root.
 */
export function toolsOpaPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir =
    env.GATEHOUSE_TOOLS_DIR !== undefined && env.GATEHOUSE_TOOLS_DIR !== ""
      ? env.GATEHOUSE_TOOLS_DIR
      : join(packageRoot(), ".tools");
  return join(dir, "bin", process.platform === "win32" ? "opa.exe" : "opa");
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

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Builds `.tools/bin/opa` from the pinned Go module in tools/opa with the local Go toolchain
 * (never downloading a toolchain or a prebuilt binary). Writes to a temporary name and renames,
 * so concurrent builds cannot leave a half-written binary.
 */
function buildOpa(go: string, env: NodeJS.ProcessEnv, onProgress: (line: string) => void): string | OpaUnavailable {
  const target = toolsOpaPath(env);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  onProgress(
    `building opa v${pinnedOpaVersion()} from tools/opa with ${go} (first run only; this can take a few minutes)`,
  );
  // `opa_wasm` is the tag OPA's own release builds use: it lets opa evaluate WebAssembly bundles.
  const run = spawnSync(
    go,
    ["build", "-trimpath", "-tags", "opa_wasm", "-o", temp, "github.com/open-policy-agent/opa"],
    {
      cwd: join(packageRoot(), "tools", "opa"),
      env: { ...env, GOTOOLCHAIN: "local", CGO_ENABLED: env.CGO_ENABLED ?? "0", GOFLAGS: "-mod=readonly" },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.status !== 0) {
    rmSync(temp, { force: true });
    const detail = (run.stderr || run.error?.message || "").trim().split("\n").slice(-5).join("\n");
    return {
      message: `building opa from tools/opa failed:\n${detail}`,
      hint: "check that Go can reach the module proxy, or set OPA_BIN to an opa binary of the pinned version",
    };
  }
  renameSync(temp, target);
  onProgress(`built ${target}`);
  return target;
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
  const go = onPath(process.platform === "win32" ? "go.exe" : "go", env);
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
