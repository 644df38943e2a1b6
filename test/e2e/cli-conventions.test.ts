import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { DIAGNOSTIC_FORMAT_CHOICES, DIFF_FORMAT_CHOICES, REVIEW_FORMAT_CHOICES } from "../../cli/main.js";
import { DIFF_FORMATS } from "../../cli/commands/diff.js";
import { DIAGNOSTIC_FORMATS } from "../../cli/commands/check.js";
import { REVIEW_FORMATS } from "../../cli/commands/review.js";
import { useColor, type Io } from "../../cli/io.js";
import { packageRoot } from "../../core/package-root.js";
import { quickstartBundle } from "../helpers/bundles.js";
import { gatehouse } from "../helpers/cli.js";
import { policyDir, tempDir } from "../helpers/policy.js";

const root = packageRoot();
const quickstart = join(root, "examples", "quickstart");
const requests = readFileSync(join(quickstart, "requests.jsonl"), "utf8").trim().split("\n");

/** Runs the built `gatehouse` as a process, with `input` on standard input. */
function bin(args: readonly string[], input = "", env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [join(root, "bin", "gatehouse.js"), ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...env },
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

let bundle: string;
beforeAll(async () => {
  bundle = join(tempDir(), "bundle.tar.gz");
  writeFileSync(bundle, (await quickstartBundle()).bytes);
});

describe("exit codes", () => {
  it("a missing policy directory is 2 (GH009), for every command that reads one", async () => {
    const parent = tempDir();
    writeFileSync(join(parent, "x"), "");
    const missing = join(parent, "polices");
    for (const args of [
      ["check", missing],
      ["build", missing, "-o", join(parent, "out")],
      ["review", missing],
      ["test", missing],
      ["export", "sfdx", missing, "-o", join(parent, "out")],
    ]) {
      const run = await gatehouse(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(`${run.stdout}${run.stderr}`).toContain(`error GH009: cannot read \`${missing}\``);
    }
  });

  it("an existing file given as -o is a usage error naming it, never a stack trace", async () => {
    const file = join(tempDir(), "taken");
    writeFileSync(file, "keep me");
    for (const args of [
      ["build", quickstart, "-o", file],
      ["import", "sfdx", join(root, "examples", "sfdx-org"), "-o", file],
      ["export", "sfdx", quickstart, "-o", file],
    ]) {
      const run = await gatehouse(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toContain(`\`${file}\` exists and is not a directory`);
      expect(run.stderr).not.toContain("internal error");
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });
});

describe("eval input", () => {
  it("--input - and --inputs - read standard input", () => {
    const one = bin(["eval", "--bundle", bundle, "--input", "-"], requests[0]);
    expect([one.code, (JSON.parse(one.stdout) as { allow: boolean }).allow]).toEqual([0, true]);
    const many = bin(["eval", "--bundle", bundle, "--inputs", "-"], requests.join("\n"));
    expect(many.code).toBe(0);
    expect(many.stdout.trim().split("\n")).toHaveLength(requests.length);
  });

  it("a line of --inputs that is not JSON is an error with its line number, and nothing is decided", () => {
    const file = join(tempDir(), "requests.jsonl");
    writeFileSync(file, `${requests[0]}\n\n${requests[1]}\n{"user": \n`);
    const run = bin(["eval", "--bundle", bundle, "--inputs", file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(new RegExp(`^gatehouse: error: ${file}:4: not valid JSON: `));
    const stdin = bin(["eval", "--bundle", bundle, "--input", "-"], "{nope");
    expect([stdin.code, stdin.stdout]).toEqual([2, ""]);
    expect(stdin.stderr).toContain("gatehouse: error: <stdin>: the input is not valid JSON");
  });
});

describe("version", () => {
  it("`version` prints Gatehouse's, the runtime's, the pinned opa's and Node's versions; --version only Gatehouse's", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    const opa = /open-policy-agent\/opa v(\S+)/.exec(readFileSync(join(root, "tools", "opa", "go.mod"), "utf8"))![1];
    const run = bin(["version"]);
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n").slice(0, 4)).toEqual([
      `Version: ${pkg.version}`,
      `Runtime: gatehouse-policy-runtime ${pkg.version}`,
      `OPA: ${opa} (pinned; built from tools/opa or found as $OPA_BIN)`,
      `Node.js: ${process.version}`,
    ]);
    expect(bin(["--version"])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });
});

describe("colour", () => {
  const io = (isTTY: boolean, env: NodeJS.ProcessEnv, color?: boolean): Io => ({
    stdout: () => undefined,
    stderr: () => undefined,
    isTTY,
    env,
    ...(color === undefined ? {} : { color }),
  });

  it.each([
    ["a terminal", true, {}, undefined, true],
    ["a pipe", false, {}, undefined, false],
    ["TERM=dumb", true, { TERM: "dumb" }, undefined, false],
    ["NO_COLOR=1 on a terminal", true, { NO_COLOR: "1" }, undefined, false],
    ["an empty NO_COLOR", true, { NO_COLOR: "" }, undefined, true],
    ["FORCE_COLOR=1 on a pipe", false, { FORCE_COLOR: "1" }, undefined, true],
    ["FORCE_COLOR beats NO_COLOR", false, { FORCE_COLOR: "1", NO_COLOR: "1" }, undefined, true],
    ["FORCE_COLOR=0 on a terminal", true, { FORCE_COLOR: "0" }, undefined, false],
    ["--no-color beats FORCE_COLOR", true, { FORCE_COLOR: "1" }, false, false],
  ] as const)("%s", (_, isTTY, env, color, expected) => {
    expect(useColor(io(isTTY, env, color))).toBe(expected);
  });

  it("FORCE_COLOR colours a pipe and --no-color (anywhere before --) turns it off", () => {
    const broken = policyDir({ "org.yaml": "kind: Org\nname: acme\napiAccessControl: maybe\n" });
    const forced = bin(["check", broken], "", { NO_COLOR: undefined, FORCE_COLOR: "1" });
    expect(forced.code).toBe(1);
    expect(forced.stdout).toContain("\u001b[");
    const plain = bin(["check", broken, "--no-color"], "", { NO_COLOR: undefined, FORCE_COLOR: "1" });
    expect(plain.code).toBe(1);
    expect(plain.stdout).not.toContain("\u001b[");
    const strip = (text: string): string => text.replaceAll(/\[[0-9;]*m/g, "").replaceAll("\u001b", "");
    expect(strip(plain.stdout)).toBe(strip(forced.stdout));
  });
});

describe("review --format github|junit", () => {
  it("github: one workflow command per finding at its YAML position, errors for open critical and high", async () => {
    const json = JSON.parse((await gatehouse(["review", quickstart, "--format", "json"])).stdout) as {
      findings: {
        id: string;
        severity: string;
        acknowledgement?: unknown;
        locations: { file: string; line: number }[];
      }[];
    };
    const run = await gatehouse(["review", quickstart, "--format", "github"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(json.findings.length);
    json.findings.forEach((f, i) => {
      const command = f.acknowledgement
        ? "notice"
        : ["critical", "high"].includes(f.severity)
          ? "error"
          : f.severity === "medium"
            ? "warning"
            : "notice";
      expect(lines[i]).toMatch(
        new RegExp(`^::${command} file=${f.locations[0]!.file},line=${f.locations[0]!.line},.*title=${f.id} \\(`),
      );
    });
  });

  it("junit: well-formed XML, one suite per applicable check, failures for open findings only", async () => {
    const json = JSON.parse((await gatehouse(["review", quickstart, "--format", "json"])).stdout) as {
      findings: { acknowledgement?: unknown }[];
    };
    const run = await gatehouse(["review", quickstart, "--format", "junit"]);
    expect(run.code).toBe(0);
    const parser = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => ["testsuite", "testcase"].includes(name),
    });
    const doc = parser.parse(run.stdout, true) as {
      testsuites: { "@_failures": string; testsuite: { testcase: { failure?: unknown; skipped?: unknown }[] }[] };
    };
    const cases = doc.testsuites.testsuite.flatMap((s) => s.testcase);
    const open = json.findings.filter((f) => !f.acknowledgement).length;
    expect(open).toBeGreaterThan(0);
    expect(cases.filter((c) => c.failure !== undefined)).toHaveLength(open);
    expect(cases.filter((c) => c.skipped !== undefined)).toHaveLength(json.findings.length - open);
    expect(Number(doc.testsuites["@_failures"])).toBe(open);
  });
});

describe("startup", () => {
  it("the CLI's choices are the commands' own", () => {
    expect([...DIAGNOSTIC_FORMAT_CHOICES]).toEqual([...DIAGNOSTIC_FORMATS]);
    expect([...REVIEW_FORMAT_CHOICES]).toEqual([...REVIEW_FORMATS]);
    expect([...DIFF_FORMAT_CHOICES]).toEqual([...DIFF_FORMATS]);
  });

  it("loading the CLI loads no compiler stage and no heavy library; commands load them when they run", () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      // Static imports only: `await import(...)` is what defers a module.
      for (const [, spec] of readFileSync(file, "utf8").matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)"/gms)) {
        if (spec!.startsWith(".")) visit(join(dirname(file), spec!));
        else external.add(spec!);
      }
    };
    visit(join(root, "dist", "cli", "main.js"));
    expect([...external].filter((s) => !s.startsWith("node:")).sort()).toEqual(["commander", "lossless-json"]);
    const stages = [...seen].filter((f) => /dist\/compiler\/(?!review\/finding|build\/opa-toolchain)/.test(f));
    expect(stages).toEqual([]);
  });
});
