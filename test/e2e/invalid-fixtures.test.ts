import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODES, type DiagnosticCode } from "../../compiler/diagnostics/codes.js";
import { packageRoot } from "../../core/package-root.js";
import { gatehouse } from "../helpers/cli.js";

/**
 * The invalid-policy corpus: every directory under test/fixtures/invalid/ is a policy set (or,
 * with an `args` file, the argument to give `gatehouse check`, relative to the case) beside
 * `expected.txt`, the exact text `gatehouse check` prints with paths relative to the case.
 * Run with `UPDATE_GOLDEN=1` to rewrite the expected files, then review every diff by eye.
 */
const corpus = join(packageRoot(), "test", "fixtures", "invalid");
const cases = readdirSync(corpus, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/**
 * Codes no committed directory can produce, and where they are covered instead. GH4xx are
 * toolchain codes, outside this corpus by design: GH401 and GH402 are asserted by
 * test/integration/build-diagnostics.test.ts.
 */
const NOT_IN_CORPUS: Partial<Record<DiagnosticCode, string>> = {
  GH005: "needs a file over 16 MiB; test/unit/hostile-yaml.test.ts generates a 50 MB one",
};

async function check(name: string): Promise<{ code: number; text: string }> {
  const dir = join(corpus, name);
  const argsFile = join(dir, "args");
  const target = existsSync(argsFile) ? join(dir, readFileSync(argsFile, "utf8").trim()) : dir;
  const run = await gatehouse(["check", target], { ...process.env, NO_COLOR: "1" }, dir);
  expect(run.stderr).toBe("");
  const text = run.stdout.replaceAll(`${dir}/`, "").replaceAll(dir, ".");
  return { code: run.code, text };
}

function codesIn(text: string): Set<string> {
  return new Set([...text.matchAll(/^\S+:\d+:\d+: (?:error|warning|info) (GH\d{3}):/gm)].map((m) => m[1]!));
}

describe("invalid policy corpus (test/fixtures/invalid)", () => {
  it("has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("%s", async (name) => {
    const { code, text } = await check(name);
    const expectedFile = join(corpus, name, "expected.txt");
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(expectedFile, text);
    expect(text).toBe(readFileSync(expectedFile, "utf8"));
    // A directory or file that cannot be read (GH009) is an environment error: exit 2.
    expect(code).toBe(/^\d+ errors?/m.test(text) ? (codesIn(text).has("GH009") ? 2 : 1) : 0);
  });

  it("produces every code GH001–GH308 of the registry in some case", () => {
    const produced = new Set<string>();
    for (const name of cases) {
      for (const code of codesIn(readFileSync(join(corpus, name, "expected.txt"), "utf8"))) produced.add(code);
    }
    const wanted = (Object.keys(CODES) as DiagnosticCode[]).filter((c) => c < "GH400" && !(c in NOT_IN_CORPUS));
    expect(wanted.filter((c) => !produced.has(c))).toEqual([]);
    for (const code of produced) expect(Object.keys(CODES)).toContain(code);
  });
});
