import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { packageRoot } from "../../core/package-root.js";
import { compileDir, policyDir } from "../helpers/policy.js";
import { lintRego } from "../helpers/regal.js";
import { writeSources } from "../helpers/topdown.js";

/** The policy of a conformance case: its `policy` text as one declarations file. */
function casePolicy(name: string): string {
  const text = readFileSync(join(packageRoot(), "test", "conformance", "cases", name), "utf8");
  return policyDir({ "policy.yaml": (parse(text) as { policy: string }).policy });
}

/**
 * The Rego rendered from templates/ for `dir`, linted by the pinned Regal with the project's
 * configuration and rules (.regal/): each finding as `file:row rule: line`.
 */
async function findings(dir: string): Promise<string[]> {
  const c = await compileDir(dir);
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const sources = writeSources(c.emitted!);
  const rego = [...c.emitted!.files.keys()].filter((p) => p.endsWith(".rego"));
  const report = lintRego(join(sources, "gatehouse"));
  expect(report.summary?.files_scanned).toBe(rego.length);
  return (report.violations ?? []).map(
    (v) =>
      `${v.location.file.slice(sources.length + 1)}:${v.location.row} ${v.category}/${v.title}: ${(v.location.text ?? "").trim()}`,
  );
}

describe("the generated Rego under Regal", () => {
  it("is lint-clean for the quick start (address sets, sites)", async () => {
    expect(await findings(join(packageRoot(), "examples", "quickstart"))).toEqual([]);
  });

  it("is lint-clean for a policy with permission set groups", async () => {
    expect(await findings(casePolicy("13-permission-set-groups.yaml"))).toEqual([]);
  });
});
