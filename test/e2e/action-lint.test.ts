import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { actionlint } from "../helpers/actionlint.js";
import { tempDir } from "../helpers/policy.js";

const root = packageRoot();
const ACTION = readFileSync(join(root, "action.yml"), "utf8");
const CI_DOC = readFileSync(join(root, "docs", "ci.md"), "utf8");

/** The sample workflow: the first ```yaml block of docs/ci.md. */
function sampleWorkflow(): string {
  const block = /```yaml\n([\s\S]*?)```/.exec(CI_DOC)?.[1];
  expect(block).toBeDefined();
  return block!;
}

interface Lint {
  readonly code: number;
  readonly output: string;
}

/** Where docs/ci.md tells a policy repository to keep its copy of the action. */
const LOCAL_ACTION = ".github/actions/gatehouse";

/**
 * Runs the pinned actionlint on `workflows` in a fresh repository holding this action.yml at its
 * root and, as docs/ci.md tells a policy repository to, at LOCAL_ACTION.
 */
function lint(workflows: Record<string, string>): Lint {
  const repo = tempDir();
  mkdirSync(join(repo, ".git"));
  mkdirSync(join(repo, ".github", "workflows"), { recursive: true });
  mkdirSync(join(repo, LOCAL_ACTION), { recursive: true });
  copyFileSync(join(root, "action.yml"), join(repo, "action.yml"));
  copyFileSync(join(root, "action.yml"), join(repo, LOCAL_ACTION, "action.yml"));
  for (const [name, text] of Object.entries(workflows)) writeFileSync(join(repo, ".github", "workflows", name), text);
  const run = spawnSync(actionlint(), ["-no-color", "-oneline"], { cwd: repo, encoding: "utf8" });
  return { code: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

/** The sample workflow, which calls the policy repository's copy of the action, as the page has it. */
function sampleUsingLocalAction(): string {
  const sample = sampleWorkflow();
  expect(sample).toContain(`uses: ./${LOCAL_ACTION} `);
  return sample;
}

/**
 * action.yml's steps as a reusable workflow (its inputs as `workflow_call` inputs), so actionlint
 * checks every expression, step reference and third-party action input of the composite action.
 */
function actionAsWorkflow(): string {
  const action = parse(ACTION) as {
    inputs: Record<string, { description: string; default?: string }>;
    runs: { steps: unknown[] };
  };
  const inputs = Object.fromEntries(
    Object.entries(action.inputs).map(([name, input]) => [
      name,
      {
        description: input.description,
        type: "string",
        required: false,
        ...(input.default === undefined || input.default.includes("${{") ? {} : { default: input.default }),
      },
    ]),
  );
  return stringify({
    name: "action",
    on: { workflow_call: { inputs } },
    jobs: { action: { "runs-on": "ubuntu-latest", steps: action.runs.steps } },
  });
}

describe("action.yml and the sample workflow pass actionlint", () => {
  it("the sample workflow in docs/ci.md, calling this action with its documented inputs", () => {
    expect(lint({ "gatehouse.yml": sampleUsingLocalAction() })).toEqual({ code: 0, output: "" });
  });

  it("the composite action's own steps", () => {
    expect(lint({ "action.yml": actionAsWorkflow() })).toEqual({ code: 0, output: "" });
  });

  it("catches an input the action does not have, and a step output that does not exist", () => {
    const typo = sampleUsingLocalAction().replace("policy-dir: policies", "policy-folder: policies");
    const bad = lint({ "gatehouse.yml": typo });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('input "policy-folder" is not defined in action');
    const broken = lint({
      "action.yml": actionAsWorkflow().replace("steps.tools-cache.outputs", "steps.tool-cache.outputs"),
    });
    expect(broken.code).toBe(1);
    expect(broken.output).toContain("tool-cache");
  });

  it("pins every third-party action to a full commit SHA, and calls Gatehouse's own from the repository", () => {
    const uses = [...`${ACTION}\n${sampleWorkflow()}`.matchAll(/uses: (\S+)/g)].map((m) => m[1]!);
    const local = uses.filter((ref) => ref.startsWith("./"));
    expect(local).toEqual([`./${LOCAL_ACTION}`]);
    const thirdParty = uses.filter((ref) => !ref.startsWith("./"));
    expect(thirdParty.length).toBeGreaterThanOrEqual(6);
    for (const ref of thirdParty) expect(ref).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
  });

  it("documents every input of action.yml in docs/ci.md", () => {
    const action = parse(ACTION) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)])
      expect(CI_DOC).toContain(`| \`${name}\``);
  });
});
