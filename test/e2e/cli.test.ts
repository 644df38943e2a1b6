import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { gatehouse } from "../helpers/cli.js";
import { ORG, policyDir, tempDir } from "../helpers/policy.js";

const root = packageRoot();
const quickstart = join(root, "examples", "quickstart");

describe("gatehouse CLI", () => {
  it.each([[[]], [["check"]], [["build"]], [["eval"]]])("prints help for %j with --help and exits 0", async (args) => {
    const run = await gatehouse([...args, "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: gatehouse/);
  });

  it("exits 2 on a usage error", async () => {
    const run = await gatehouse(["check", "--frobnicate", "x"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--frobnicate'");
    expect((await gatehouse(["nope"])).code).toBe(2);
  });

  it("check: exits 0 on the quick start and 1 with compiler-style diagnostics on errors", async () => {
    const ok = await gatehouse(["check", quickstart]);
    expect(ok).toMatchObject({ code: 0, stdout: "no problems found\n" });
    const dir = policyDir({
      "org.yaml": ORG,
      "apps.yaml": "kind: ConnectedApp\nname: erp\nclientIds: [k]\nprofiles: [Integraton]\n",
    });
    const bad = await gatehouse(["check", dir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout.replaceAll(dir, "DIR")).toBe(
      [
        "DIR/apps.yaml:4:12: error GH202: unknown profile `Integraton`",
        "  |",
        "4 | profiles: [Integraton]",
        "  |            ^^^^^^^^^^",
        "",
        "1 error",
        "",
      ].join("\n"),
    );
  });

  it("check --format json and github", async () => {
    const dir = policyDir({ "org.yaml": `${ORG}installed: true\n` });
    const json = await gatehouse(["check", dir, "--format", "json"]);
    const parsed = JSON.parse(json.stdout) as {
      diagnostics: Array<{ code: string; line: number }>;
      summary: { error: number };
    };
    expect(parsed.summary.error).toBe(1);
    expect(parsed.diagnostics[0]).toMatchObject({ code: "GH102", line: 3, column: 1, pointer: "/installed" });
    const gh = await gatehouse(["check", dir, "--format", "github"]);
    expect(gh.stdout.replaceAll(dir, "DIR")).toBe(
      "::error file=DIR/org.yaml,line=3,col=1,endLine=3,endColumn=10,title=GH102::unknown property `installed` in Org%0Ahelp: known properties: `kind`, `name`, `label`, `description`, `edition`, `apiAccessControl`, `session`, `trustedIpRanges`, `unseen`\n",
    );
  });

  it("build + eval: writes a bundle and decides every request of the quick start as expected", async () => {
    const out = tempDir();
    const built = await gatehouse(["build", quickstart, "-o", out]);
    expect(built.code).toBe(0);
    expect(built.stderr).toMatch(/wrote .*bundle\.tar\.gz \(revision [0-9a-f]{32}, \d+ bytes, opa 1\.22\.2\)/);
    const bundle = join(out, "bundle.tar.gz");
    const run = await gatehouse([
      "eval",
      "--bundle",
      bundle,
      "--inputs",
      join(quickstart, "requests.jsonl"),
      "--expect",
      join(quickstart, "expected.jsonl"),
    ]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    const expected = readFileSync(join(quickstart, "expected.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(expected.length);
    expect(run.stderr).toContain(`all ${expected.length} decisions match`);

    const input = join(tempDir(), "one.json");
    writeFileSync(input, readFileSync(join(quickstart, "requests.jsonl"), "utf8").split("\n")[0]!);
    expect((await gatehouse(["eval", "--bundle", bundle, "--input", input])).code).toBe(0);
    writeFileSync(input, readFileSync(join(quickstart, "requests.jsonl"), "utf8").split("\n")[1]!);
    const denied = await gatehouse(["eval", "--bundle", bundle, "--input", input]);
    expect(denied.code).toBe(1);
    expect(JSON.parse(denied.stdout)).toMatchObject({ allow: false, reasons: [{ code: "IP_OUTSIDE_LOGIN_RANGES" }] });
  });

  it("eval --expect exits 1 when a decision differs", async () => {
    const out = tempDir();
    expect((await gatehouse(["build", quickstart, "-o", out])).code).toBe(0);
    const wrong = join(tempDir(), "wrong.jsonl");
    const lines = readFileSync(join(quickstart, "expected.jsonl"), "utf8").trim().split("\n");
    lines[0] = '{"allow":false,"reasons":["APP_BLOCKED"]}';
    writeFileSync(wrong, `${lines.join("\n")}\n`);
    const run = await gatehouse([
      "eval",
      "--bundle",
      join(out, "bundle.tar.gz"),
      "--inputs",
      join(quickstart, "requests.jsonl"),
      "--expect",
      wrong,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("request 1: expected deny, got allow (no reasons)");
  });

  it("build writes nothing for a policy set with errors", async () => {
    const out = join(tempDir(), "out");
    const dir = policyDir({ "org.yaml": `${ORG}trustedIpRanges: [10.0.0.1/8]\n` });
    const run = await gatehouse(["build", dir, "-o", out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error GH211: `10.0.0.1/8` has host bits set");
    expect(existsSync(out)).toBe(false);
  });

  it("exits 2 naming both fixes when there is neither opa nor Go", async () => {
    const env = { HOME: process.env.HOME, PATH: tempDir(), GATEHOUSE_TOOLS_DIR: tempDir() };
    const run = await gatehouse(["build", quickstart, "-o", tempDir()], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("gatehouse: error GH400: no opa");
    expect(run.stderr).toContain("Go is not installed");
    expect(run.stderr).toContain("install Go");
    expect(run.stderr).toContain("OPA_BIN");
  });

  it("refuses an OPA_BIN of another version with exit 2", async () => {
    const fake = join(tempDir(), "opa");
    writeFileSync(fake, "#!/bin/sh\necho 'Version: 0.99.0'\necho 'WebAssembly: available'\n", { mode: 0o755 });
    const run = await gatehouse(["build", quickstart, "-o", tempDir()], { ...process.env, OPA_BIN: fake });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is opa 0.99.0, but Gatehouse pins 1.22.2");
  });

  it("the installed bin runs (npx gatehouse)", () => {
    const run = spawnSync(process.execPath, [join(root, "bin", "gatehouse.js"), "--version"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version,
    );
  });
});
