/**
 * `gatehouse diff` end to end, with the real pipeline and runtime: the quick start against a copy
 * with one app unblocked (expected Markdown reviewed by hand in test/golden/impact-unblock-app/),
 * the same diff read from git, and the refusals.
 */
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { gatehouse } from "../helpers/cli.js";
import { tempDir } from "../helpers/policy.js";

const quickstart = join(packageRoot(), "examples", "quickstart");
const golden = join(packageRoot(), "test", "golden", "impact-unblock-app", "diff.md");

/** A copy of the quick start in a fresh directory, with `edit` applied to apps.yaml. */
function copyWith(edit: (apps: string) => string): string {
  const dir = join(tempDir(), "policies");
  cpSync(quickstart, dir, { recursive: true });
  const apps = join(dir, "apps.yaml");
  writeFileSync(apps, edit(readFileSync(apps, "utf8")));
  return dir;
}

const unblock = (apps: string): string => {
  const edited = apps.replace(/^blocked: true$/m, "blocked: false");
  if (edited === apps) throw new Error("the quick start no longer blocks an app");
  return edited;
};

interface JsonDiff {
  summary: { classesDecided: number; complete: boolean; bounded: unknown[]; undecidable: number };
  changes: Array<{
    kind: string;
    profile: string;
    app: { clientId: string | null; head?: string };
    base: { reasons: Array<{ code: string }> };
    head: { allow: boolean; reasons: Array<{ code: string }> };
    citations: Array<{ kind: string; name: string; changed: boolean }>;
  }>;
}

describe("gatehouse diff", () => {
  let head: string;
  beforeAll(() => {
    head = copyWith(unblock);
  });

  it("lists exactly the access that unblocking `data-loader` gains, as the reviewed Markdown", async () => {
    const run = await gatehouse(["diff", quickstart, head, "--format", "markdown"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const text = run.stdout.replaceAll(head, "HEAD_DIR").replaceAll(quickstart, "examples/quickstart");
    expect(text).toBe(readFileSync(golden, "utf8"));
  });

  it("reports every change as caused by the app, and every gain as a lifted APP_BLOCKED", async () => {
    const run = await gatehouse(["diff", quickstart, head, "--format", "json"]);
    expect(run.code).toBe(0);
    const diff = JSON.parse(run.stdout) as JsonDiff;
    expect(diff.summary.complete).toBe(true);
    expect(diff.summary.undecidable).toBe(0);
    expect(diff.changes.length).toBeGreaterThan(0);
    for (const change of diff.changes) {
      expect(change.app.head).toBe("data-loader");
      expect(change.kind).not.toBe("lost");
      // Unblocking only removes APP_BLOCKED: the new reasons are the old ones without it.
      const before = change.base.reasons.map((r) => r.code).filter((c) => c !== "APP_BLOCKED");
      const after = change.head.reasons.map((r) => r.code);
      if (change.kind !== "notes") expect(before.filter((c) => c !== "AAC_EXTERNAL_APP_NOT_INSTALLED")).toEqual(after);
      expect(change.citations).toContainEqual(
        expect.objectContaining({ kind: "ConnectedApp", name: "data-loader", changed: true }),
      );
    }
    const gained = diff.changes.filter((c) => c.kind === "gained");
    expect(gained.length).toBeGreaterThan(0);
    for (const g of gained) expect(g.base.reasons.map((r) => r.code)).toContain("APP_BLOCKED");
  });

  it("reports no change between a policy set and itself, with --fail-on widen passing", async () => {
    const run = await gatehouse(["diff", quickstart, quickstart, "--fail-on", "widen"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("No request is decided differently.");
    expect(run.stdout).toContain("Decided 0 request classes");
  });

  it("exits 1 with --fail-on widen when access is gained, and 0 for a narrowing", async () => {
    expect((await gatehouse(["diff", quickstart, head, "--fail-on", "widen"])).code).toBe(1);
    const narrowed = await gatehouse(["diff", head, quickstart, "--fail-on", "widen", "--format", "json"]);
    expect(narrowed.code).toBe(0);
    const diff = JSON.parse(narrowed.stdout) as JsonDiff;
    expect(diff.changes.some((c) => c.kind === "lost")).toBe(true);
    expect(diff.changes.some((c) => c.kind === "gained")).toBe(false);
  });

  it("reads the base from a git revision without a checkout", async () => {
    const repo = tempDir();
    const dir = join(repo, "policies");
    cpSync(quickstart, dir, { recursive: true });
    const git = (...args: string[]): void => {
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: repo,
        stdio: "pipe",
      });
    };
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "quick start");
    writeFileSync(join(dir, "apps.yaml"), unblock(readFileSync(join(dir, "apps.yaml"), "utf8")));
    const fromGit = await gatehouse(["diff", "--base", "HEAD", dir, "--format", "json"]);
    expect(fromGit.stderr).toBe("");
    expect(fromGit.code).toBe(0);
    const fromDirs = await gatehouse(["diff", quickstart, head, "--format", "json"]);
    const changes = (run: { stdout: string }): unknown => (JSON.parse(run.stdout) as JsonDiff).changes;
    expect(changes(fromGit)).toEqual(changes(fromDirs));
    // The working tree is untouched: the edit is still there, nothing else appeared.
    expect(readFileSync(join(dir, "apps.yaml"), "utf8")).toContain("blocked: false");
    expect(execFileSync("git", ["status", "--porcelain"], { cwd: repo }).toString().trim()).toBe(
      "M policies/apps.yaml",
    );
  });

  it("says what it left out when the class limit is reached", async () => {
    const run = await gatehouse(["diff", quickstart, head, "--max-classes", "100"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("The enumeration is INCOMPLETE: the limit of 100 classes left");
    expect(run.stdout).toMatch(/not decided \(limit\): profile `Sales User` through `data-loader` \([0-9]+ classes\)/);
  });

  it("refuses bad usage with exit 2 and broken policies with exit 1", async () => {
    expect((await gatehouse(["diff", quickstart])).code).toBe(2);
    expect((await gatehouse(["diff", quickstart, head, "--fail-on", "narrow"])).code).toBe(2);
    expect((await gatehouse(["diff", "--base", "HEAD", quickstart, head])).code).toBe(2);
    const badRev = await gatehouse(["diff", "--base", "no-such-revision-xyz", quickstart]);
    expect(badRev.code).toBe(2);
    expect(badRev.stderr).toContain("cannot read `no-such-revision-xyz` from git");
    const broken = copyWith((apps) => apps.replace("profiles: [Sales User]", "profiles: [Sales Usr]"));
    const run = await gatehouse(["diff", quickstart, broken]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("has errors");
    expect(run.stderr).toContain("Sales Usr");
    expect(run.stdout).toBe("");
  });
});
