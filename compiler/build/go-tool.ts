import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { packageRoot } from "../../core/package-root.js";

/**
 * A tool built from a pinned Go module under `tools/<name>/` (a `go.mod` with a `tool`
 * directive), the way Gatehouse gets `opa` and any other Go tool it needs: never a prebuilt
 * download, always the version the module pins.
 */
export interface GoToolSpec {
  /** The folder under tools/ and the binary's name, e.g. `opa`. */
  readonly name: string;
  /** The Go module whose version the go.mod pins, e.g. `github.com/open-policy-agent/opa`. */
  readonly module: string;
  /** The package to build, e.g. `github.com/rhysd/actionlint/cmd/actionlint` (default: `module`). */
  readonly package?: string;
  /** Build tags. */
  readonly tags?: readonly string[];
  /**
   * A Go string variable that only the tool's own release builds set to its version, e.g.
   * `github.com/open-policy-agent/regal/pkg/version.Version`: set to `v<pinned version>` with
   * `-ldflags -X`, so the built tool reports the version it was built from.
   */
  readonly versionVariable?: string;
}

/** Why a tool could not be built, in words for the CLI to print. */
export interface GoToolUnavailable {
  readonly message: string;
  readonly hint: string;
}

/**
 * The directory built tools live in: `$GATEHOUSE_TOOLS_DIR` when set (e.g. a CI cache shared by
 * several checkouts), otherwise `.tools` under the package root. Binaries are in its `bin/`.
 */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GATEHOUSE_TOOLS_DIR !== undefined && env.GATEHOUSE_TOOLS_DIR !== ""
    ? env.GATEHOUSE_TOOLS_DIR
    : join(packageRoot(), ".tools");
}

/** Where the built binary of `name` is kept: `<toolsDir>/bin/<name>`. */
export function toolBinPath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(toolsDir(env), "bin", process.platform === "win32" ? `${name}.exe` : name);
}

/** The version of `spec.module` pinned by tools/<name>/go.mod, without the leading `v`. */
export function pinnedToolVersion(spec: GoToolSpec): string {
  const goMod = readFileSync(join(packageRoot(), "tools", spec.name, "go.mod"), "utf8");
  const quoted = spec.module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = new RegExp(`${quoted} v([0-9]+\\.[0-9]+\\.[0-9]+)`).exec(goMod);
  // INVARIANT: tools/<name>/go.mod is part of the package and requires the module.
  if (!match?.[1]) throw new Error(`gatehouse: tools/${spec.name}/go.mod does not pin ${spec.module}`);
  return match[1];
}

/** The path of `name` on PATH, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The local `go` binary, or undefined when Go is not installed. */
export function findGo(env: NodeJS.ProcessEnv): string | undefined {
  return onPath(process.platform === "win32" ? "go.exe" : "go", env);
}

/**
 * Builds `<toolsDir>/bin/<name>` from the pinned Go module in tools/<name> with the local Go
 * toolchain (never downloading a toolchain or a prebuilt binary). Writes to a temporary name and
 * renames, so concurrent builds cannot leave a half-written binary.
 */
export function buildGoTool(
  spec: GoToolSpec,
  go: string,
  env: NodeJS.ProcessEnv,
  onProgress: (line: string) => void,
): string | GoToolUnavailable {
  const target = toolBinPath(spec.name, env);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  onProgress(
    `building ${spec.name} v${pinnedToolVersion(spec)} from tools/${spec.name} with ${go} (first run only; this can take a few minutes)`,
  );
  const tags = spec.tags && spec.tags.length > 0 ? ["-tags", spec.tags.join(",")] : [];
  const ldflags = spec.versionVariable ? ["-ldflags", `-X ${spec.versionVariable}=v${pinnedToolVersion(spec)}`] : [];
  const run = spawnSync(go, ["build", "-trimpath", ...tags, ...ldflags, "-o", temp, spec.package ?? spec.module], {
    cwd: join(packageRoot(), "tools", spec.name),
    env: { ...env, GOTOOLCHAIN: "local", CGO_ENABLED: env.CGO_ENABLED ?? "0", GOFLAGS: "-mod=readonly" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) {
    rmSync(temp, { force: true });
    const detail = (run.stderr || run.error?.message || "").trim().split("\n").slice(-5).join("\n");
    return {
      message: `building ${spec.name} from tools/${spec.name} failed:\n${detail}`,
      hint: `check that Go can reach the module proxy`,
    };
  }
  renameSync(temp, target);
  onProgress(`built ${target}`);
  return target;
}
