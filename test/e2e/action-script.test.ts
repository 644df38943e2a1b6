import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { gatehouse } from "../helpers/cli.js";
import { tempDir } from "../helpers/policy.js";

const root = packageRoot();
const REAL_CLI = `${process.execPath} ${join(root, "bin", "gatehouse.js")}`;

interface ActionRun {
  readonly code: number;
  readonly stdout: string;
  readonly summary: string;
  readonly outputs: Record<string, string>;
  readonly temp: string;
}

/** A policy repository (a git repository) holding the quick start's declarations in `policies/`. */
function policyRepo(): string {
  const repo = tempDir("gatehouse-action-");
  cpSync(join(root, "examples", "quickstart"), join(repo, "policies"), {
    recursive: true,
    filter: (src) => !src.endsWith(".jsonl"),
  });
  const git = (...args: string[]): void => {
    const run = spawnSync("git", args, { cwd: repo, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
  };
  git("init", "-q", "-b", "main");
  git("-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".");
  git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base");
  return repo;
}

/** Runs scripts/action/run.js as the Action does, with GATEHOUSE_* settings and a fake runner environment. */
function runAction(repo: string, settings: Record<string, string>): Promise<ActionRun> {
  const temp = tempDir("gatehouse-runner-");
  const summaryPath = join(temp, "summary.md");
  const outputPath = join(temp, "output");
  writeFileSync(summaryPath, "");
  writeFileSync(outputPath, "");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    OPA_BIN: process.env.OPA_BIN,
    RUNNER_TEMP: temp,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    GATEHOUSE_WORKING_DIRECTORY: repo,
    GATEHOUSE_POLICY_DIR: "policies",
    GATEHOUSE_CLI: REAL_CLI,
    ...settings,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "scripts", "action", "run.js")], { cwd: repo, env });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      const outputs = Object.fromEntries(
        readFileSync(outputPath, "utf8")
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
      resolve({ code: code ?? -1, stdout, summary: readFileSync(summaryPath, "utf8"), outputs, temp });
    });
  });
}

/** The step rows of the job summary: [step, result]. */
function steps(summary: string): string[][] {
  return [...summary.matchAll(/^\| (check|test|review|build|diff) \| (\w+) \|/gm)].map((m) => [m[1]!, m[2]!]);
}

describe("the Action's script on an example policy", () => {
  it("checks, tests, reviews and builds the quick start; SARIF, summary and outputs", async () => {
    const repo = policyRepo();
    const run = await runAction(repo, {});
    expect(run.code, run.stdout).toBe(0);
    expect(steps(run.summary)).toEqual([
      ["check", "passed"],
      ["test", "passed"],
      ["review", "passed"],
      ["build", "passed"],
    ]);
    expect(run.summary).toContain("## Gatehouse: `policies`");
    expect(run.summary).toMatch(/\| build \| passed \| unsigned \|/);
    expect(run.outputs.result).toBe("passed");
    expect(run.outputs.bundle).toBe(join(repo, "dist", "policy", "bundle.tar.gz"));
    expect(existsSync(run.outputs.bundle!)).toBe(true);
    for (const [key, id] of [
      ["check-sarif", "gatehouse/check/"],
      ["review-sarif", "gatehouse/review/"],
    ] as const) {
      const log = JSON.parse(readFileSync(run.outputs[key]!, "utf8")) as {
        runs: Array<{ automationDetails: { id: string } }>;
      };
      expect(log.runs[0]!.automationDetails.id).toBe(id);
    }
  });

  it("signs the bundle with the key input and leaves no copy of the key behind", async () => {
    const repo = policyRepo();
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const run = await runAction(repo, {
      GATEHOUSE_SIGNING_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).toMatch(/\| build \| passed \| signed \|/);
    expect(gunzipSync(readFileSync(run.outputs.bundle!)).includes(".signatures.json")).toBe(true);
    expect(readdirSync(run.temp).filter((f) => f.startsWith("gatehouse-key-"))).toEqual([]);
  });

  it("fails on policy errors: SARIF still written, test and build skipped", async () => {
    const repo = policyRepo();
    writeFileSync(
      join(repo, "policies", "extra.yaml"),
      "kind: ConnectedApp\nname: broken\nclientIds: [x]\nprofiles: [Nobody]\n",
    );
    const run = await runAction(repo, {});
    expect(run.code).toBe(1);
    expect(steps(run.summary)).toEqual([
      ["check", "failed"],
      ["test", "skipped"],
      ["review", "failed"],
      ["build", "skipped"],
    ]);
    expect(run.stdout).toContain("::error file=policies/extra.yaml");
    expect(run.outputs.result).toBe("failed");
    expect(run.outputs.bundle).toBeUndefined();
    const check = JSON.parse(readFileSync(run.outputs["check-sarif"]!, "utf8")) as {
      runs: Array<{ results: Array<{ ruleId: string }> }>;
    };
    expect(check.runs[0]!.results.map((r) => r.ruleId)).toEqual(["GH202"]);
    const review = JSON.parse(readFileSync(run.outputs["review-sarif"]!, "utf8")) as {
      runs: Array<{ invocations: Array<{ executionSuccessful: boolean }> }>;
    };
    expect(review.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
  });

  it("fails when a review finding is at least as serious as review-fail-on", async () => {
    const repo = policyRepo();
    const run = await runAction(repo, { GATEHOUSE_REVIEW_FAIL_ON: "info" });
    expect(run.code).toBe(1);
    expect(steps(run.summary)).toEqual([
      ["check", "passed"],
      ["test", "passed"],
      ["review", "failed"],
      ["build", "skipped"],
    ]);
  });
});

interface Comment {
  id: number;
  body: string;
}

/** A fake GitHub REST API holding one pull request's comments, recording every request. */
function fakeGithub(): { server: Server; comments: Comment[]; requests: string[]; url: () => string } {
  const comments: Comment[] = [{ id: 1, body: "someone else's comment" }];
  const requests: string[] = [];
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString("utf8")));
    req.on("end", () => {
      requests.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      if (req.method === "GET" && req.url?.startsWith("/repos/acme/policy/issues/7/comments?")) {
        json(res, 200, comments);
      } else if (req.method === "POST" && req.url === "/repos/acme/policy/issues/7/comments") {
        const comment = { id: comments.length + 1, body: (JSON.parse(text) as Comment).body };
        comments.push(comment);
        json(res, 201, comment);
      } else if (req.method === "PATCH" && req.url?.startsWith("/repos/acme/policy/issues/comments/")) {
        const comment = comments.find((c) => String(c.id) === req.url!.split("/").at(-1));
        if (!comment) return json(res, 404, {});
        comment.body = (JSON.parse(text) as Comment).body;
        json(res, 200, comment);
      } else json(res, 404, { message: "not found" });
    });
  });
  return { server, comments, requests, url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("the Action's diff step", () => {
  const github = fakeGithub();
  let cli = REAL_CLI;

  beforeAll(async () => {
    await new Promise<void>((resolve) => github.server.listen(0, "127.0.0.1", resolve));
    // `gatehouse diff` is being built separately; where this checkout has no such command, a
    // stand-in with the same interface answers `diff` and hands every other command to the real CLI.
    if (!/^ {2}diff\b/m.test((await gatehouse(["--help"])).stdout)) {
      const stub = join(tempDir(), "gatehouse-with-diff.mjs");
      writeFileSync(
        stub,
        [
          'import { spawnSync } from "node:child_process";',
          "const args = process.argv.slice(2);",
          'if (args[0] === "diff") {',
          '  process.stdout.write(`### Policy diff against \\`${args[args.indexOf("--base") + 1]}\\`\\n\\n- connected app \\`erp-sync\\`: access gained\\n`);',
          '  process.exit(args.includes("--fail-on") ? 1 : 0);',
          "}",
          `const run = spawnSync(process.execPath, [${JSON.stringify(join(root, "bin", "gatehouse.js"))}, ...args], { stdio: "inherit" });`,
          "process.exit(run.status ?? 2);",
        ].join("\n"),
      );
      cli = `${process.execPath} ${stub}`;
    }
  });

  afterAll(() => new Promise<void>((resolve) => github.server.close(() => resolve())));

  it("posts the diff as one pull-request comment and updates it on the next push", async () => {
    const repo = policyRepo();
    spawnSync("git", ["branch", "base"], { cwd: repo });
    const apps = join(repo, "policies", "apps.yaml");
    writeFileSync(apps, readFileSync(apps, "utf8").replace("ipRelaxation: ENFORCE\n", "ipRelaxation: BYPASS\n"));
    const event = join(tempDir(), "event.json");
    writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }));
    const settings = {
      GATEHOUSE_CLI: cli,
      GATEHOUSE_DIFF_BASE: "base",
      GATEHOUSE_GITHUB_TOKEN: "t0ken",
      GITHUB_API_URL: github.url(),
      GITHUB_REPOSITORY: "acme/policy",
      GITHUB_EVENT_PATH: event,
    };
    const [command, ...prefix] = cli.split(" ");
    const printed = spawnSync(command!, [...prefix, "diff", "--base", "base", "policies", "--format", "markdown"], {
      cwd: repo,
      encoding: "utf8",
    }).stdout;
    expect(printed.length).toBeGreaterThan(0);

    const first = await runAction(repo, settings);
    expect(first.code, first.stdout).toBe(0);
    expect(steps(first.summary).at(-1)).toEqual(["diff", "passed"]);
    expect(first.summary).toContain("comment created");
    expect(github.comments).toHaveLength(2);
    expect(github.comments[1]!.body).toBe(`<!-- gatehouse-diff:policies -->\n${printed}`);

    const second = await runAction(repo, settings);
    expect(second.code).toBe(0);
    expect(second.summary).toContain("comment updated");
    expect(github.comments).toHaveLength(2);
    expect(github.comments[0]!.body).toBe("someone else's comment");
    expect(github.requests.filter((r) => r.startsWith("POST"))).toHaveLength(1);
    expect(github.requests.filter((r) => r.startsWith("PATCH /repos/acme/policy/issues/comments/2"))).toHaveLength(1);
    expect(github.requests.every((r) => r.endsWith("Bearer t0ken"))).toBe(true);

    const widened = await runAction(repo, { ...settings, GATEHOUSE_FAIL_ON_WIDEN: "true" });
    expect(widened.code).toBe(1);
    expect(widened.summary).toMatch(/\| diff \| failed \| access widened; comment updated \|/);
    expect(widened.outputs.result).toBe("failed");
  });

  it("without a pull request, puts the diff in the summary and comments nothing", async () => {
    const repo = policyRepo();
    spawnSync("git", ["branch", "base"], { cwd: repo });
    const before = github.requests.length;
    const run = await runAction(repo, {
      GATEHOUSE_CLI: cli,
      GATEHOUSE_DIFF_BASE: "base",
      GITHUB_API_URL: github.url(),
    });
    expect(run.code, run.stdout).toBe(0);
    expect(steps(run.summary).at(-1)).toEqual(["diff", "passed"]);
    expect(github.requests.length).toBe(before);
  });
});
