import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { tempDir } from "../helpers/policy.js";

/**
 * Runs every fenced block marked `runnable` in README.md and docs/*.md (docs/architecture.md,
 * "Documentation that runs"), in order, one fresh policy repository per file: Gatehouse installed
 * as a dev dependency (linked to this checkout), `gatehouse` not on PATH, the quick start's
 * declarations in `policies/` and the bundle built into `dist/policy/`.
 */
const root = packageRoot();

interface Block {
  readonly language: string;
  readonly code: string;
  readonly line: number;
}

/** The blocks of `text` whose info string has the word `runnable`. */
function runnableBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const m of text.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)) {
    if (!m[2]!.split(/\s+/).includes("runnable")) continue;
    blocks.push({ language: m[1]!, code: m[3]!, line: text.slice(0, m.index).split("\n").length });
  }
  return blocks;
}

const pages = ["README.md", ...readdirSync(join(root, "docs")).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith(".md"),
);
const withBlocks = pages.filter((page) => runnableBlocks(readFileSync(join(root, page), "utf8")).length > 0);

/** A policy repository as the README's install section leaves it. */
function policyRepository(): string {
  const dir = tempDir("gatehouse-docs-");
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "policies", private: true, devDependencies: { "gatehouse-policy": "*" } }),
  );
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(root, join(dir, "node_modules", "gatehouse-policy"), "dir");
  symlinkSync(join(root, "wasm"), join(dir, "node_modules", "gatehouse-policy-runtime"), "dir");
  symlinkSync(join(root, "bin", "gatehouse.js"), join(dir, "node_modules", ".bin", "gatehouse"));
  const quickstart = join(root, "examples", "quickstart");
  mkdirSync(join(dir, "policies"));
  for (const file of readdirSync(quickstart))
    cpSync(join(quickstart, file), join(dir, file.endsWith(".yaml") ? "policies" : ".", file));
  const built = run(
    { language: "sh", code: "npx --no-install gatehouse build policies -o dist/policy\n", line: 0 },
    dir,
  );
  expect(built.status, built.stderr).toBe(0);
  return dir;
}

/** PATH without any directory holding a `gatehouse` or `opa`, so that docs cannot rely on either. */
function cleanPath(): string {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((d) => !d.includes("node_modules") && !d.endsWith(".tools/bin"))
    .join(delimiter);
}

function run(block: Block, cwd: string) {
  const env = { ...process.env, PATH: cleanPath(), NO_COLOR: "1", FORCE_COLOR: undefined };
  if (block.language === "sh")
    return spawnSync("bash", ["-euo", "pipefail", "-c", block.code], { cwd, env, encoding: "utf8", timeout: 300_000 });
  const file = join(cwd, `block-${block.line}.${block.language === "cjs" ? "cjs" : "mjs"}`);
  writeFileSync(file, block.code);
  return spawnSync(process.execPath, [file], { cwd, env, encoding: "utf8", timeout: 120_000 });
}

describe("runnable blocks in the documentation", () => {
  it("the marker finds blocks by their info string only", () => {
    const text = "```sh\nno\n```\n\n```sh runnable\nyes 1\n```\n\n```js runnable title\nyes 2\n```\n";
    expect(runnableBlocks(text).map((b) => [b.language, b.code, b.line])).toEqual([
      ["sh", "yes 1\n", 5],
      ["js", "yes 2\n", 9],
    ]);
  });

  it("covers the README's install section and the reference pages", () => {
    for (const page of ["README.md", "docs/cli.md", "docs/runtime.md", "docs/signing.md", "docs/deployment.md"])
      expect(withBlocks).toContain(page);
  });

  describe.each(withBlocks)("%s", (page) => {
    let cwd: string;
    beforeAll(() => {
      cwd = policyRepository();
    });

    it("every runnable block exits 0 and prints what its comments promise", () => {
      for (const block of runnableBlocks(readFileSync(join(root, page), "utf8"))) {
        const result = run(block, cwd);
        const where = `${page}:${block.line}\n${result.stdout}\n${result.stderr}`;
        expect(result.error, where).toBeUndefined();
        expect(result.status, where).toBe(0);
        const promised = [...block.code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
        if (promised.length > 0) expect(result.stdout.trim().split("\n"), where).toEqual(promised);
      }
    });
  });
});
