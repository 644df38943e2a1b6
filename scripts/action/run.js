/**
 * What the Gatehouse GitHub Action runs in a policy repository: check → test → review → build
 * (signed when a key is given), SARIF for check and review, a job summary, step outputs, and
 * optionally the policy diff against a base ref as one pull-request comment. Plain Node with no
 * dependencies: the Action's own checkout has no node_modules; Gatehouse itself comes from the
 * policy repository (`npx --no-install gatehouse` by default).
 *
 * Configuration is read from the environment (action.yml passes its inputs as GATEHOUSE_*
 * variables, never spliced into a script). Exit code 0 when every step passed, 1 otherwise.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { diffMarker, upsertComment } from "./pr-comment.js";

/** The Action's configuration from `env`. */
export function config(env) {
  const cwd = resolve(env.GATEHOUSE_WORKING_DIRECTORY || ".");
  return {
    cwd,
    policyDir: env.GATEHOUSE_POLICY_DIR || "policies",
    cli: (env.GATEHOUSE_CLI || "npx --no-install gatehouse").split(/\s+/).filter((w) => w !== ""),
    outDir: env.GATEHOUSE_OUT_DIR || "dist/policy",
    sarifDir: resolve(cwd, env.GATEHOUSE_SARIF_DIR || join(env.RUNNER_TEMP || tmpdir(), "gatehouse-sarif")),
    signingKey: env.GATEHOUSE_SIGNING_KEY || "",
    signingAlg: env.GATEHOUSE_SIGNING_ALG || "",
    reviewFailOn: env.GATEHOUSE_REVIEW_FAIL_ON || "",
    diffBase: env.GATEHOUSE_DIFF_BASE || "",
    failOnWiden: env.GATEHOUSE_FAIL_ON_WIDEN === "true",
    token: env.GATEHOUSE_GITHUB_TOKEN || "",
    api: env.GITHUB_API_URL || "https://api.github.com",
    repository: env.GITHUB_REPOSITORY || "",
    eventPath: env.GITHUB_EVENT_PATH || "",
    summaryPath: env.GITHUB_STEP_SUMMARY || "",
    outputPath: env.GITHUB_OUTPUT || "",
    env,
  };
}

function gatehouse(c, args) {
  const [command, ...prefix] = c.cli;
  const run = spawnSync(command, [...prefix, ...args], {
    cwd: c.cwd,
    env: c.env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) return { code: 2, stdout: "", stderr: `cannot run ${c.cli.join(" ")}: ${run.error.message}\n` };
  return { code: run.status ?? 2, stdout: run.stdout, stderr: run.stderr };
}

function echo(text) {
  if (text) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** The pull request number of the event that triggered the run, if it was a pull request. */
function pullRequest(c) {
  if (c.eventPath === "") return undefined;
  try {
    const event = JSON.parse(readFileSync(c.eventPath, "utf8"));
    return event.pull_request?.number ?? undefined;
  } catch {
    return undefined;
  }
}

function status(code) {
  return code === undefined ? "skipped" : code === 0 ? "passed" : "failed";
}

function countResults(sarifText) {
  try {
    const results = JSON.parse(sarifText).runs?.[0]?.results ?? [];
    return {
      errors: results.filter((r) => r.level === "error").length,
      warnings: results.filter((r) => r.level === "warning").length,
    };
  } catch {
    return undefined;
  }
}

/** The check step: SARIF to a file, GitHub annotations to the log. */
function check(c, summary, outputs) {
  const sarif = gatehouse(c, ["check", c.policyDir, "--format", "sarif"]);
  writeFileSync(join(c.sarifDir, "check.sarif"), sarif.stdout);
  outputs["check-sarif"] = join(c.sarifDir, "check.sarif");
  echo(gatehouse(c, ["check", c.policyDir, "--format", "github"]).stdout);
  echo(sarif.stderr);
  const counts = countResults(sarif.stdout);
  summary.steps.push([
    "check",
    status(sarif.code),
    counts ? `${counts.errors} errors, ${counts.warnings} warnings` : "",
  ]);
  return sarif.code;
}

function test(c, summary) {
  const run = gatehouse(c, ["test", c.policyDir]);
  echo(run.stdout);
  echo(run.stderr);
  const line = run.stdout.trim().split("\n").at(-1) ?? "";
  summary.steps.push(["test", status(run.code), line]);
  return run.code;
}

function review(c, summary, outputs) {
  const failOn = c.reviewFailOn === "" ? [] : ["--fail-on", c.reviewFailOn];
  const sarif = gatehouse(c, ["review", c.policyDir, "--format", "sarif", ...failOn]);
  writeFileSync(join(c.sarifDir, "review.sarif"), sarif.stdout);
  outputs["review-sarif"] = join(c.sarifDir, "review.sarif");
  echo(sarif.stderr);
  const markdown = gatehouse(c, ["review", c.policyDir, "--format", "markdown"]);
  if (markdown.code === 0) summary.sections.push(markdown.stdout);
  const counts = countResults(sarif.stdout);
  summary.steps.push(["review", status(sarif.code), counts ? `${counts.errors + counts.warnings} findings` : ""]);
  return sarif.code;
}

function build(c, summary, outputs) {
  let keyDir;
  const signing = [];
  if (c.signingKey !== "") {
    // The key lives only in a private temporary file outside the repository, for this step.
    keyDir = mkdtempSync(join(c.env.RUNNER_TEMP || tmpdir(), "gatehouse-key-"));
    writeFileSync(join(keyDir, "signing-key"), c.signingKey, { mode: 0o600 });
    signing.push("--signing-key", join(keyDir, "signing-key"));
    if (c.signingAlg !== "") signing.push("--signing-alg", c.signingAlg);
  }
  try {
    const run = gatehouse(c, ["build", c.policyDir, "-o", c.outDir, ...signing]);
    echo(run.stdout);
    echo(run.stderr);
    if (run.code === 0) outputs.bundle = join(c.cwd, c.outDir, "bundle.tar.gz");
    summary.steps.push(["build", status(run.code), signing.length > 0 ? "signed" : "unsigned"]);
    return run.code;
  } finally {
    if (keyDir !== undefined) rmSync(keyDir, { recursive: true, force: true });
  }
}

/** The diff step: the markdown diff as one pull-request comment, kept up to date. */
async function diff(c, summary) {
  const run = gatehouse(c, [
    "diff",
    "--base",
    c.diffBase,
    c.policyDir,
    "--format",
    "markdown",
    ...(c.failOnWiden ? ["--fail-on", "widen"] : []),
  ]);
  if (run.code === 2 && /unknown command/i.test(run.stderr)) {
    summary.steps.push(["diff", "skipped", "this Gatehouse has no `diff` command"]);
    return 0;
  }
  echo(run.stderr);
  if (run.code !== 0 && run.code !== 1) {
    summary.steps.push(["diff", "failed", `exit ${run.code}`]);
    return run.code;
  }
  summary.sections.push(run.stdout);
  const issue = pullRequest(c);
  let note = run.code === 1 ? "access widened" : "";
  if (issue !== undefined && c.token !== "" && c.repository !== "") {
    const posted = await upsertComment({
      api: c.api,
      token: c.token,
      repository: c.repository,
      issue,
      marker: diffMarker(c.policyDir),
      body: run.stdout,
    });
    note = [note, `comment ${posted.action}`].filter((s) => s !== "").join("; ");
  }
  summary.steps.push(["diff", status(run.code), note]);
  return run.code;
}

function writeSummary(c, summary) {
  const rows = summary.steps.map(
    ([step, result, detail]) => `| ${step} | ${result} | ${detail.replace(/\|/g, "\\|")} |`,
  );
  const text = [
    `## Gatehouse: \`${c.policyDir}\``,
    "",
    "| step | result | detail |",
    "| --- | --- | --- |",
    ...rows,
    "",
    ...summary.sections.map((s) => `${s.trim()}\n`),
  ].join("\n");
  if (c.summaryPath !== "") appendFileSync(c.summaryPath, `${text}\n`);
  else echo(text);
}

function writeOutputs(c, outputs) {
  if (c.outputPath === "") return;
  appendFileSync(
    c.outputPath,
    Object.entries(outputs)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(""),
  );
}

/** Runs every step and returns the exit code (0 when all passed). */
export async function runAction(env) {
  const c = config(env);
  mkdirSync(c.sarifDir, { recursive: true });
  const summary = { steps: [], sections: [] };
  const outputs = {};
  const codes = [];
  const checked = check(c, summary, outputs);
  codes.push(checked);
  if (checked === 0) codes.push(test(c, summary));
  else summary.steps.push(["test", "skipped", "check failed"]);
  codes.push(review(c, summary, outputs));
  if (codes.every((code) => code === 0)) codes.push(build(c, summary, outputs));
  else summary.steps.push(["build", "skipped", "an earlier step failed"]);
  if (c.diffBase !== "") codes.push(await diff(c, summary));
  const failed = codes.some((code) => code !== 0);
  outputs.result = failed ? "failed" : "passed";
  writeSummary(c, summary);
  writeOutputs(c, outputs);
  return failed ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAction(process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`gatehouse action: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
