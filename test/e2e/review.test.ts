import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { gatehouse } from "../helpers/cli.js";
import { ORG, policyDir } from "../helpers/policy.js";

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const quickstart = join(packageRoot(), "examples", "quickstart");

/**
 * The SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it (`@microsoft/sarif-multitool-ts`,
 * `assets/sarif-2.1.0.schema.json`: the OASIS schema in the draft 2020-12 dialect, hence Ajv2020).
 */
function sarifValidator() {
  const entry = createRequire(import.meta.url).resolve("@microsoft/sarif-multitool-ts");
  const schema = JSON.parse(
    readFileSync(join(dirname(entry), "..", "assets", "sarif-2.1.0.schema.json"), "utf8"),
  ) as Record<string, unknown>;
  expect(schema.title).toBe("Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema");
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

const BYPASS_APP = [
  "kind: ConnectedApp",
  "name: field <service> & co",
  "clientIds: [k1]",
  "permittedUsers: adminApproved",
  "profiles: [Field]",
  "ipRelaxation: BYPASS",
  "---",
  "kind: Profile",
  "name: Field",
  "permissions: [ApiEnabled]",
  "loginIpRanges: [203.0.113.0/24]",
  "",
].join("\n");

const FULL_ORG = `${ORG}apiAccessControl: {allowlistedAppsOnly: true}\nsession: {enforceLoginIpRangesEveryRequest: true, lockSessionsToIp: true}\n`;

const ACK = [
  "kind: Acknowledgement",
  "name: field-bypass",
  "finding: GR004",
  "subject: {kind: ConnectedApp, name: field <service> & co}",
  "reason: Technicians work from customer sites; @field-ops owns it.",
  "expires: 2027-03-31",
  "",
].join("\n");

describe("gatehouse review", () => {
  it("prints help", async () => {
    const run = await gatehouse(["review", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--fail-on <severity>");
    expect(run.stdout).toContain("--today <date>");
  });

  it("prints the quick start's findings grouped by severity, each with its positions", async () => {
    const run = await gatehouse(["review", quickstart, "--today", "2026-06-15"]);
    expect(run.code).toBe(0);
    const text = run.stdout.replaceAll(quickstart, "QS");
    expect(text.split("\n").slice(0, 6)).toEqual([
      "gatehouse review of QS: score 70/100 (Good)",
      "",
      "CRITICAL (1)",
      "  GR003 profile `Partner Community User` lets its API users log in from any address: it has no login IP ranges",
      "    --> QS/profiles.yaml:18:1  no login IP ranges",
      "    fix: Set login IP ranges on the profile to the corporate VPN and office egress ranges (or the integration's own egress), and turn on enforcement on every request.",
    ]);
    expect(text).toContain("MEDIUM (2)\n  GR005 connected app `salesforce-mobile`");
    expect(text).toContain("        QS/org.yaml:10:24  API access control is on");
    expect(text.trimEnd().split("\n").at(-1)).toBe("1 critical, 2 medium, 1 low, 1 info");
  });

  it("--fail-on high exits 1 when a high finding is open and 0 otherwise", async () => {
    const open = policyDir({ "org.yaml": FULL_ORG, "apps.yaml": BYPASS_APP });
    expect((await gatehouse(["review", open, "--fail-on", "high"])).code).toBe(1);
    expect((await gatehouse(["review", open, "--fail-on", "critical"])).code).toBe(0);
    expect((await gatehouse(["review", open])).code).toBe(0);
    const acknowledged = policyDir({ "org.yaml": FULL_ORG, "apps.yaml": BYPASS_APP, "acks.yaml": ACK });
    const run = await gatehouse(["review", acknowledged, "--fail-on", "high", "--today", "2027-03-31"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "  GR004 connected app `field <service> & co` relaxes login IP ranges with `BYPASS` for every request [acknowledged]",
    );
    expect(run.stdout).toContain(
      "    acknowledged: by `field-bypass` until 2027-03-31 at " +
        `${acknowledged}/acks.yaml:5:9: Technicians work from customer sites; @field-ops owns it.`,
    );
    const expired = await gatehouse(["review", acknowledged, "--fail-on", "high", "--today", "2027-04-01"]);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toContain("GR012 acknowledgement `field-bypass` of `GR004` expired on 2027-03-31");
    const clean = policyDir({ "org.yaml": FULL_ORG });
    expect((await gatehouse(["review", clean, "--fail-on", "high"])).code).toBe(0);
  });

  it("exits 1 with diagnostics on a policy set with errors, and 2 on a bad option", async () => {
    const broken = policyDir({ "org.yaml": `${ORG}installed: true\n` });
    const run = await gatehouse(["review", broken]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error GH102: unknown property `installed` in Org");
    expect((await gatehouse(["review", quickstart, "--fail-on", "severe"])).code).toBe(2);
    const date = await gatehouse(["review", quickstart, "--today", "2026-02-30"]);
    expect(date.code).toBe(2);
    expect(date.stderr).toContain("`2026-02-30` is not a date");
  });

  it("--format json carries the score, counts and each finding's documentation", async () => {
    const dir = policyDir({ "org.yaml": FULL_ORG, "apps.yaml": BYPASS_APP, "acks.yaml": ACK });
    const run = await gatehouse(["review", dir, "--format", "json", "--today", "2026-06-15"]);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as {
      today: string;
      score: { value: number; grade: string };
      summary: Record<string, { open: number; acknowledged: number }>;
      findings: Array<Record<string, unknown>>;
    };
    expect(json.today).toBe("2026-06-15");
    expect(json.summary.high).toEqual({ open: 0, acknowledged: 1 });
    expect(json.score).toEqual({ value: 83, grade: "Very Good", possible: 23, earned: 19 });
    expect(json.findings.map((f) => f.id)).toEqual(["GR004"]);
    expect(json.findings[0]).toMatchObject({
      slug: "ip-relaxation-bypass",
      severity: "high",
      cvss: { min: 6, max: 8.5 },
      subject: { kind: "ConnectedApp", name: "field <service> & co" },
      acknowledged: true,
      locations: [{ line: 6, column: 15, pointer: "/ipRelaxation", message: "`BYPASS`" }],
      affected: ["profile `Field`"],
    });
  });

  it("--format sarif validates against the SARIF 2.1.0 schema, with suppressions for acknowledged findings", async () => {
    const dir = policyDir({ "org.yaml": FULL_ORG, "apps.yaml": BYPASS_APP, "acks.yaml": ACK });
    const run = await gatehouse(["review", dir, "--format", "sarif", "--today", "2026-06-15"]);
    expect(run.code).toBe(0);
    const log = JSON.parse(run.stdout) as {
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string; properties: Record<string, unknown> }> } };
        results: Array<{
          ruleId: string;
          level: string;
          suppressions?: Array<{ kind: string; status: string; justification: string }>;
          locations: Array<{ physicalLocation: { region: { startLine: number; startColumn: number } } }>;
        }>;
      }>;
    };
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const [sarifRun] = log.runs;
    expect(sarifRun?.tool.driver.rules.map((r) => r.id)).toHaveLength(13);
    expect(sarifRun?.tool.driver.rules.find((r) => r.id === "GR004")?.properties["security-severity"]).toBe("8.5");
    const bypass = sarifRun?.results.find((r) => r.ruleId === "GR004");
    expect(bypass?.level).toBe("error");
    expect(bypass?.locations[0]?.physicalLocation.region).toMatchObject({ startLine: 6, startColumn: 15 });
    expect(bypass?.suppressions).toEqual([
      {
        kind: "inSource",
        status: "accepted",
        justification: "Technicians work from customer sites; @field-ops owns it. (until 2027-03-31)",
      },
    ]);
  });

  it("--format markdown groups by severity and escapes names", async () => {
    const dir = policyDir({ "org.yaml": FULL_ORG, "apps.yaml": BYPASS_APP, "acks.yaml": ACK });
    const run = await gatehouse(["review", dir, "--format", "markdown", "--today", "2026-06-15"]);
    expect(run.code).toBe(0);
    const md = run.stdout.replaceAll(dir, "DIR");
    expect(md.split("\n").slice(0, 10)).toEqual([
      "## Gatehouse security review: 83/100 (Very Good)",
      "",
      "| Severity | Open | Acknowledged |",
      "| --- | ---: | ---: |",
      "| critical | 0 | 0 |",
      "| high | 0 | 1 |",
      "| medium | 0 | 0 |",
      "| low | 0 | 0 |",
      "| info | 0 | 0 |",
      "",
    ]);
    expect(md).toContain("#### GR004: Connected app relaxes login IP ranges\n");
    expect(md).toContain(
      "- connected app `field <service> & co` relaxes login IP ranges with `BYPASS` for every request (`DIR/apps.yaml:6`) **acknowledged**",
    );
    expect(md).toContain(
      "  - Acknowledged by `field-bypass` until 2027-03-31: Technicians work from customer sites; &#64;field-ops owns it.",
    );
  });
});
