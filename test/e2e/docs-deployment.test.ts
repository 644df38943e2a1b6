import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { tempDir } from "../helpers/policy.js";

const root = packageRoot();
const doc = readFileSync(join(root, "docs", "deployment.md"), "utf8");

/** The first fenced block of `language` in the section of docs/deployment.md whose heading starts with `heading`. */
function block(heading: string, language: string): string {
  const start = doc.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`docs/deployment.md has no section \`## ${heading}\``);
  const found = new RegExp("```" + language + "( runnable)?\\n([\\s\\S]*?)```").exec(doc.slice(start));
  if (!found) throw new Error(`docs/deployment.md section \`${heading}\` has no ${language} block`);
  return found[2]!;
}

let bundle: TestBundle;
/** A working directory holding the quick-start bundle where the docs put it. */
let cwd: string;
const scratch: string[] = [];

beforeAll(async () => {
  bundle = await quickstartBundle();
  cwd = tempDir();
  mkdirSync(join(cwd, "dist", "policy"), { recursive: true });
  writeFileSync(join(cwd, "dist", "policy", "bundle.tar.gz"), bundle.bytes);
});

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe("docs/deployment.md: deciding requests in production", () => {
  it("the embedding example runs as written, importing the runtime package, and prints what its comment says", () => {
    const code = block("Embedding in a Node service", "js");
    expect(code.split("\n").filter((l) => l.trim() !== "").length).toBeLessThanOrEqual(10);
    // Inside the repository, so that `gatehouse-policy-runtime` resolves through its node_modules link.
    const dir = mkdtempSync(join(root, "dist", "readme-"));
    scratch.push(dir);
    writeFileSync(join(dir, "example.mjs"), code);
    const run = spawnSync(process.execPath, [join(dir, "example.mjs")], { cwd, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const promised = /console\.log\(.*\); \/\/ (.*)$/m.exec(code)![1]!;
    expect(run.stdout.replace(/\s+/g, " ").trim()).toBe(promised);
  });

  it("the sidecar commands serve the decision the curl line asks for", async () => {
    const [serveLine, curlLine] = block("As a sidecar", "sh").trim().split("\n");
    expect(serveLine).toMatch(/^npx --no-install gatehouse serve /);
    const args = serveLine!
      .replace(/^npx --no-install /, "")
      .split(" ")
      .slice(1);
    expect(args[0]).toBe("serve");
    const port = args.indexOf("--port");
    args[port + 1] = "0";
    const child = spawn(process.execPath, [join(root, "bin", "gatehouse.js"), ...args], {
      cwd,
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      let stderr = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          const found = / on (http:\/\/\S+)\n/.exec(stderr);
          if (found) resolve(found[1]!);
        });
        child.once("exit", () => reject(new Error(stderr)));
      });
      const body = /-d '(.*)'$/.exec(curlLine!)![1]!;
      const path = / localhost:8181(\S+) /.exec(curlLine!)![1]!;
      const response = await fetch(`${url}${path}`, { method: "POST", body });
      const answer = (await response.json()) as { result: { allow: boolean }; decision_id: string };
      expect(answer.result).toEqual({ allow: true, notes: [], reasons: [], revision: bundle.revision });
      expect(answer.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    expect(
      readFileSync(join(cwd, "decisions.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l !== ""),
    ).toHaveLength(1);
  });
});
