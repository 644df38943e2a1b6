import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { CODES } from "../../compiler/diagnostics/codes.js";
import { gatehouse } from "../helpers/cli.js";
import { ORG, policyDir, tempDir } from "../helpers/policy.js";

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * The SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it (`@microsoft/sarif-multitool-ts`,
 * `assets/sarif-2.1.0.schema.json`: the OASIS schema in the draft 2020-12 dialect).
 */
function sarifValidator() {
  const entry = createRequire(import.meta.url).resolve("@microsoft/sarif-multitool-ts");
  const schemaPath = join(dirname(entry), "..", "assets", "sarif-2.1.0.schema.json");
  const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as Record<string, unknown>;
  expect(schema.title).toBe("Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema");
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

interface SarifLog {
  runs: Array<{
    tool: { driver: { rules: Array<{ id: string; name: string; defaultConfiguration: { level: string } }> } };
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Array<{
        physicalLocation: {
          artifactLocation: { uri: string; uriBaseId?: string };
          region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
        };
      }>;
      relatedLocations?: Array<{ message: { text: string }; physicalLocation: { region: { startLine: number } } }>;
      partialFingerprints: Record<string, string>;
    }>;
  }>;
}

const APPS = [
  "kind: ConnectedApp",
  "name: erp",
  "clientIds: [k1]",
  "permittedUsers: adminApproved",
  "profiles: [Integraton]",
  "---",
  "kind: ConnectedApp",
  "name: erp",
  "clientIds: [k1]",
  "",
].join("\n");

async function checkSarif(files: Record<string, string>): Promise<{ log: SarifLog; text: string; dir: string }> {
  const dir = policyDir(files);
  const run = await gatehouse(["check", dir, "--format", "sarif"], process.env, dirname(dir));
  expect(run.stderr).toBe("");
  return { log: JSON.parse(run.stdout) as SarifLog, text: run.stdout, dir };
}

describe("gatehouse check --format sarif", () => {
  it("validates against the SARIF 2.1.0 schema, with every registered code as a rule", async () => {
    const validate = sarifValidator();
    const { log } = await checkSarif({
      "org.yaml": `${ORG}trustedIpRanges: [10.0.0.1/8, 0.0.0.0/0]\n`,
      "apps.yaml": APPS,
    });
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(Object.keys(CODES));
    expect(run.tool.driver.rules.find((r) => r.id === "GH300")).toMatchObject({
      name: "overlapping-ranges",
      defaultConfiguration: { level: "warning" },
    });
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
    expect(run.results.map((r) => [r.ruleId, r.level])).toEqual([
      ["GH202", "error"],
      ["GH200", "error"],
      ["GH211", "error"],
    ]);
    const warnings = await checkSarif({ "org.yaml": `${ORG}trustedIpRanges: [10.0.0.0/8, 0.0.0.0/0]\n` });
    expect(validate(warnings.log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(warnings.log.runs[0]!.results.map((r) => [r.ruleId, r.level])).toEqual([
      ["GH300", "warning"],
      ["GH301", "warning"],
    ]);
  });

  it("names files relative to the working directory and carries related locations", async () => {
    const { log, dir } = await checkSarif({ "org.yaml": ORG, "apps.yaml": APPS });
    const base = dir.slice(dirname(dir).length + 1);
    const duplicate = log.runs[0]!.results.find((r) => r.ruleId === "GH200")!;
    expect(duplicate.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: `${base}/apps.yaml`, uriBaseId: "%SRCROOT%" },
      region: { startLine: 8, startColumn: 7, endLine: 8, endColumn: 10 },
    });
    expect(duplicate.message.text).toBe(
      "connected app `erp` is declared twice\nhelp: names are unique per kind; rename or merge one of them",
    );
    expect(duplicate.relatedLocations).toMatchObject([
      { message: { text: "first declared here" }, physicalLocation: { region: { startLine: 2 } } },
    ]);
  });

  it("uses an absolute file URI for a policy directory outside the working directory", async () => {
    const dir = policyDir({ "org.yaml": `${ORG}bogus: 1\n` });
    const run = await gatehouse(["check", dir, "--format", "sarif"], process.env, tempDir());
    const log = JSON.parse(run.stdout) as SarifLog;
    expect(run.code).toBe(1);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({
      uri: `file://${dir}/org.yaml`,
    });
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it("keeps a result's fingerprint when lines are added above it, and tells results apart", async () => {
    const { log: before, dir } = await checkSarif({ "org.yaml": ORG, "apps.yaml": APPS });
    writeFileSync(join(dir, "apps.yaml"), `# a comment\n\n${APPS}`);
    const run = await gatehouse(["check", dir, "--format", "sarif"], process.env, dirname(dir));
    const after = JSON.parse(run.stdout) as SarifLog;
    const prints = (log: SarifLog): Array<[string, number, string]> =>
      log.runs[0]!.results.map((r) => [
        r.ruleId,
        r.locations[0]!.physicalLocation.region.startLine,
        r.partialFingerprints["gatehouse/v1"]!,
      ]);
    const a = prints(before);
    expect(a.map(([code]) => code)).toEqual(["GH202", "GH200"]);
    expect(prints(after)).toEqual(a.map(([code, line, print]) => [code, line + 2, print]));
    expect(new Set(a.map(([, , print]) => print)).size).toBe(a.length);
  });
});

describe("gatehouse build --format sarif", () => {
  it("prints one SARIF log on stdout, its progress on stderr, for a build with warnings", async () => {
    const dir = policyDir({ "org.yaml": `${ORG}trustedIpRanges: [10.0.0.0/8, 0.0.0.0/0]\n` });
    const out = join(tempDir(), "out");
    const run = await gatehouse(["build", dir, "-o", out, "--format", "sarif"], process.env, dirname(dir));
    expect(run.code).toBe(0);
    const log = JSON.parse(run.stdout) as SarifLog & { runs: Array<{ automationDetails: { id: string } }> };
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]!.automationDetails.id).toMatch(/^gatehouse\/build\//);
    expect(log.runs[0]!.results.map((r) => r.ruleId)).toEqual(["GH300", "GH301"]);
    expect(run.stderr).not.toContain('"runs"');
    expect(run.stderr).toContain(`gatehouse: wrote ${join(out, "bundle.tar.gz")}`);
  });

  it("prints a SARIF log of the errors on stdout and writes nothing for a policy set with errors", async () => {
    const dir = policyDir({ "org.yaml": ORG, "apps.yaml": APPS });
    const out = join(tempDir(), "out");
    const run = await gatehouse(["build", dir, "-o", out, "--format", "sarif"], process.env, dirname(dir));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    const log = JSON.parse(run.stdout) as SarifLog;
    expect(log.runs[0]!.results.map((r) => [r.ruleId, r.level])).toEqual([
      ["GH202", "error"],
      ["GH200", "error"],
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it("prints an empty SARIF log on stdout for a clean build, so the file is always valid", async () => {
    const dir = policyDir({ "org.yaml": ORG });
    const run = await gatehouse(["build", dir, "-o", join(tempDir(), "out"), "--format", "sarif"]);
    expect(run.code).toBe(0);
    const log = JSON.parse(run.stdout) as SarifLog;
    expect(log.runs[0]!.results).toEqual([]);
  });
});
