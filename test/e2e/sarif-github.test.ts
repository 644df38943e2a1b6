import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { gatehouse } from "../helpers/cli.js";
import { ORG, policyDir, tempDir } from "../helpers/policy.js";
import { validateForGithub } from "../helpers/sarif-multitool.js";

interface Log {
  runs: Array<{
    automationDetails: { id: string };
    invocations: Array<{
      executionSuccessful: boolean;
      toolExecutionNotifications?: Array<{ level: string; message: { text: string } }>;
    }>;
    tool: { driver: { rules: Array<{ id: string; fullDescription?: { text: string }; helpUri?: string }> } };
    results: Array<{
      ruleId: string;
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }>;
      partialFingerprints: Record<string, string>;
    }>;
  }>;
}

const BROKEN_APPS =
  "kind: ConnectedApp\nname: erp\nclientIds: [k1]\npermittedUsers: adminApproved\nprofiles: [Integraton]\n";
const RISKY = [
  "kind: Org",
  "name: acme",
  "---",
  "kind: Profile",
  "name: Integration",
  "permissions: [ApiEnabled]",
  "---",
  "kind: ConnectedApp",
  "name: erp",
  "clientIds: [k1]",
  "ipRelaxation: BYPASS",
  "",
].join("\n");

/** A git repository (a `.git` folder is all `sarifRoot` looks for) holding `policies/` with `files`. */
function repo(files: Record<string, string>): { root: string; policies: string } {
  const root = tempDir();
  mkdirSync(join(root, ".git"));
  const policies = join(root, "policies");
  mkdirSync(join(policies, "sub"), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(policies, name), text);
  return { root, policies };
}

async function sarif(args: string[], cwd: string): Promise<{ code: number; log: Log; text: string }> {
  const run = await gatehouse([...args, "--format", "sarif"], process.env, cwd);
  return { code: run.code, log: JSON.parse(run.stdout) as Log, text: run.stdout };
}

describe("SARIF accepted by GitHub code scanning (SARIF multitool, GitHub rules)", () => {
  it("the validator rejects a rule without fullDescription, so the checks below can fail", async () => {
    const { policies, root } = repo({ "org.yaml": ORG, "apps.yaml": BROKEN_APPS });
    const { text } = await sarif(["check", policies], root);
    const log = JSON.parse(text) as Log;
    delete log.runs[0]!.tool.driver.rules[0]!.fullDescription;
    expect(validateForGithub(JSON.stringify(log)).map((f) => f.ruleId)).toContain("GH2012");
  });

  it("check: zero errors, every rule described and linked, automation id, paths from the repository root", async () => {
    const { policies, root } = repo({ "org.yaml": ORG, "apps.yaml": BROKEN_APPS });
    // Run from a subdirectory: paths are still relative to the repository root.
    const { code, log, text } = await sarif(["check", policies], join(policies, "sub"));
    expect(code).toBe(1);
    expect(validateForGithub(text)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.automationDetails).toEqual({ id: "gatehouse/check/" });
    expect(run.invocations).toEqual([{ executionSuccessful: true }]);
    expect(run.results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation])).toEqual([
      ["GH202", { uri: "policies/apps.yaml", uriBaseId: "%SRCROOT%" }],
    ]);
    for (const rule of run.tool.driver.rules) {
      expect(rule.fullDescription?.text.length).toBeGreaterThan(10);
      expect(rule.helpUri).toBe(`https://gatehouse.dev/docs/diagnostics#${rule.id.toLowerCase()}`);
    }
    const again = await sarif(["check", policies], root);
    expect(again.log.runs[0]!.results[0]!.partialFingerprints).toEqual(run.results[0]!.partialFingerprints);
  });

  it("the installed command, given a relative path from a subdirectory, still names files from the repository root", () => {
    const { policies } = repo({ "org.yaml": ORG, "apps.yaml": BROKEN_APPS });
    const bin = join(packageRoot(), "bin", "gatehouse.js");
    for (const command of ["check", "review"]) {
      const run = spawnSync(process.execPath, [bin, command, "../../policies", "--format", "sarif"], {
        cwd: join(policies, "sub"),
        encoding: "utf8",
      });
      const log = JSON.parse(run.stdout) as Log;
      const invocation = log.runs[0]!.invocations[0]!;
      const where =
        command === "check"
          ? log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation
          : (invocation.toolExecutionNotifications![0] as unknown as Log["runs"][0]["results"][0]).locations[0]!
              .physicalLocation.artifactLocation;
      expect(where).toEqual({ uri: "policies/apps.yaml", uriBaseId: "%SRCROOT%" });
    }
  });

  it("--sarif-root makes paths relative to the directory given", async () => {
    const { policies, root } = repo({ "org.yaml": ORG, "apps.yaml": BROKEN_APPS });
    const { log } = await sarif(["check", policies, "--sarif-root", policies], root);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({
      uri: "apps.yaml",
      uriBaseId: "%SRCROOT%",
    });
  });

  it("review: zero errors, its own automation id, rules linked to their heading in docs/review.md", async () => {
    const { policies, root } = repo({ "policy.yaml": RISKY });
    const { code, log, text } = await sarif(["review", policies], root);
    expect(code).toBe(0);
    expect(validateForGithub(text)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.automationDetails).toEqual({ id: "gatehouse/review/" });
    expect(run.results.length).toBeGreaterThan(0);
    expect(run.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe("policies/policy.yaml");
    const doc = readFileSync(join(packageRoot(), "docs", "review.md"), "utf8");
    const headings = new Set(
      [...doc.matchAll(/^### (GR[0-9]+) (\S+)$/gm)].map(([, id, slug]) => `${id!.toLowerCase()}-${slug!}`),
    );
    for (const rule of run.tool.driver.rules) {
      expect(rule.helpUri?.startsWith("https://gatehouse.dev/docs/review#")).toBe(true);
      expect(headings.has(rule.helpUri!.split("#")[1]!)).toBe(true);
    }
  });

  it("every diagnostics helpUri names an anchor that docs/diagnostics.md has", async () => {
    const { policies, root } = repo({ "org.yaml": ORG });
    const { log } = await sarif(["check", policies], root);
    const doc = readFileSync(join(packageRoot(), "docs", "diagnostics.md"), "utf8");
    for (const rule of log.runs[0]!.tool.driver.rules)
      expect(doc).toContain(`<a id="${rule.helpUri!.split("#")[1]!}"></a>${rule.id}`);
  });

  it("check that cannot run (no such directory) still writes a valid log saying why", async () => {
    const root = tempDir();
    const { code, log, text } = await sarif(["check", join(root, "polcies")], root);
    // A directory that cannot be read is an environment error (docs/cli.md: exit 2).
    expect(code).toBe(2);
    expect(validateForGithub(text)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.results).toEqual([]);
    expect(run.invocations[0]!.executionSuccessful).toBe(false);
    expect(run.invocations[0]!.toolExecutionNotifications!.map((n) => [n.level, n.message.text])).toEqual([
      ["error", `GH009: cannot read \`${join(root, "polcies")}\`: no such file or directory`],
    ]);
  });

  it("review that cannot run (the policy set has errors) still writes a valid log saying why", async () => {
    const { policies, root } = repo({ "org.yaml": ORG, "apps.yaml": BROKEN_APPS });
    const run = await gatehouse(["review", policies, "--format", "sarif"], process.env, root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("GH202");
    expect(validateForGithub(run.stdout)).toEqual([]);
    const log = JSON.parse(run.stdout) as Log;
    expect(log.runs[0]!.automationDetails.id).toBe("gatehouse/review/");
    expect(log.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
    expect(log.runs[0]!.invocations[0]!.toolExecutionNotifications!.map((n) => n.message.text)).toEqual([
      "GH202: unknown profile `Integraton`",
    ]);
  });

  it("review that fails on a bad option writes the failure log before the error", async () => {
    const dir = policyDir({ "org.yaml": ORG });
    const run = await gatehouse(["review", dir, "--format", "sarif", "--today", "2026-13-40"], process.env, dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("`2026-13-40` is not a date");
    const log = JSON.parse(run.stdout) as Log;
    expect(validateForGithub(run.stdout)).toEqual([]);
    expect(log.runs[0]!.invocations[0]!.toolExecutionNotifications![0]!.message.text).toBe(
      "`2026-13-40` is not a date",
    );
  });
});
