import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { GoToolSpec } from "../../compiler/build/go-tool.js";
import { packageRoot } from "../../core/package-root.js";
import { pinnedGoTool } from "./go-tool.js";

/**
 * Regal, the Rego linter, pinned by tools/regal/go.mod and built like opa
 * (compiler/build/go-tool.ts). Its own release builds stamp the version; ours stamps the pin.
 */
export const REGAL: GoToolSpec = {
  name: "regal",
  module: "github.com/open-policy-agent/regal",
  versionVariable: "github.com/open-policy-agent/regal/pkg/version.Version",
};

/** Regal's environment: never asking the network whether a newer Regal exists (it is pinned). */
const REGAL_ENV = { ...process.env, REGAL_DISABLE_VERSION_CHECK: "true" };

/**
 * The pinned Regal: `<GATEHOUSE_TOOLS_DIR or .tools>/bin/regal` when it is the pinned version,
 * otherwise built there from tools/regal with the local Go. Throws when it cannot be.
 */
export function regal(onProgress: (line: string) => void = () => {}): string {
  return pinnedGoTool(
    {
      spec: REGAL,
      label: "Regal",
      versionArgs: ["version"],
      versionPattern: /^Version:\s*v?([0-9]+\.[0-9]+\.[0-9]+)/m,
      env: REGAL_ENV,
    },
    onProgress,
  );
}

/** One finding of `regal lint --format json`. */
export interface RegalViolation {
  readonly title: string;
  readonly category: string;
  readonly description: string;
  readonly level: string;
  readonly location: { readonly file: string; readonly row: number; readonly col: number; readonly text?: string };
}

/** What `regal lint --format json` reports. */
export interface RegalReport {
  readonly violations?: readonly RegalViolation[];
  readonly errors?: readonly string[];
  readonly summary?: { readonly files_scanned: number; readonly num_violations: number };
}

/**
 * Lints the Rego files under `dir` with the pinned Regal, this project's configuration
 * (.regal/config.yaml) and its custom rules (.regal/rules), whatever configuration lies around
 * `dir` or in the user's home. Throws when Regal reports an error (a file it cannot parse, a
 * broken rule) rather than findings.
 */
export function lintRego(dir: string): RegalReport {
  const root = packageRoot();
  const run = spawnSync(
    regal(),
    [
      "lint",
      "--format",
      "json",
      "--no-color",
      "--config-file",
      join(root, ".regal", "config.yaml"),
      "--rules",
      join(root, ".regal", "rules"),
      dir,
    ],
    { encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024, env: REGAL_ENV },
  );
  let report: RegalReport;
  try {
    report = JSON.parse(run.stdout) as RegalReport;
  } catch {
    throw new Error(`regal lint exited ${run.status} without a report:\n${run.stderr}${run.stdout}`);
  }
  if (report.errors !== undefined && report.errors.length > 0) throw new Error(report.errors.join("\n"));
  return report;
}
