import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One problem the SARIF multitool found in a log. */
export interface MultitoolFinding {
  readonly ruleId: string;
  readonly level: string;
  readonly message: string;
}

/** The SARIF multitool binary that `@microsoft/sarif-multitool` ships for this platform. */
export function multitoolPath(): string {
  return createRequire(import.meta.url)("@microsoft/sarif-multitool") as string;
}

/**
 * Runs `Sarif.Multitool validate` with the SARIF rules and GitHub's ingestion rules
 * (`--rule-kind "Sarif;Gh"`: what code scanning requires of an uploaded log, beyond the schema)
 * on `log`, and returns every error and warning it reports.
 */
export function validateForGithub(log: string): MultitoolFinding[] {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-multitool-"));
  try {
    const input = join(dir, "input.sarif");
    const output = join(dir, "validation.sarif");
    writeFileSync(input, log);
    const run = spawnSync(multitoolPath(), ["validate", "--rule-kind", "Sarif;Gh", "-o", output, input], {
      cwd: dir,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1", DOTNET_CLI_TELEMETRY_OPTOUT: "1" },
    });
    if (run.error) throw run.error;
    const report = JSON.parse(readFileSync(output, "utf8")) as {
      runs: Array<{
        results?: Array<{ ruleId: string; level?: string; message: { text?: string; arguments?: string[] } }>;
        invocations?: Array<{ toolExecutionNotifications?: Array<{ message: { text: string } }> }>;
      }>;
    };
    const notifications = report.runs[0]?.invocations?.[0]?.toolExecutionNotifications ?? [];
    if (notifications.length > 0)
      throw new Error(`the multitool could not validate: ${notifications.map((n) => n.message.text).join("; ")}`);
    return (report.runs[0]?.results ?? [])
      .filter((r) => r.level !== "note" && r.level !== "none")
      .map((r) => ({
        ruleId: r.ruleId,
        level: r.level ?? "warning",
        message: r.message.text ?? (r.message.arguments ?? []).join(" "),
      }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
