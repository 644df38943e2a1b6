import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { compileDir, ORG, policyDir } from "../helpers/policy.js";
import { gatehouse } from "../helpers/cli.js";
import { boundaryCases } from "../../compiler/testing/boundary-cases.js";

const quickstart = join(packageRoot(), "examples", "quickstart");

describe("gatehouse test", () => {
  it("passes on the quick start: every Test case and every boundary case", async () => {
    const run = await gatehouse(["test", quickstart]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("test cases: 10 passed; boundary cases: 36 passed\n");
    expect(run.code).toBe(0);
  });

  it("fails a wrong expectation and names its YAML position", async () => {
    const tests = readFileSync(join(quickstart, "tests.yaml"), "utf8").replace(
      "expect: { allow: false, reasons: [APP_BLOCKED] }",
      "expect: { allow: true }",
    );
    const dir = policyDir({
      "org.yaml": readFileSync(join(quickstart, "org.yaml"), "utf8"),
      "networks.yaml": readFileSync(join(quickstart, "networks.yaml"), "utf8"),
      "profiles.yaml": readFileSync(join(quickstart, "profiles.yaml"), "utf8"),
      "apps.yaml": readFileSync(join(quickstart, "apps.yaml"), "utf8"),
      "users.yaml": readFileSync(join(quickstart, "users.yaml"), "utf8"),
      "tests.yaml": tests,
    });
    const run = await gatehouse(["test", dir, "--no-boundary"]);
    expect(run.code).toBe(1);
    expect(run.stdout.replaceAll(dir, "DIR")).toBe(
      [
        "DIR/tests.yaml:69:11: FAIL sales > Data Loader is blocked",
        "    expected allow, got deny [APP_BLOCKED]",
        "    APP_BLOCKED: connected app `data-loader` is blocked",
        "",
        "test cases: 9 passed, 1 failed; boundary cases: 0 passed",
        "",
      ].join("\n"),
    );
    expect(tests.split("\n")[68]).toBe("  - name: Data Loader is blocked");

    const junit = await gatehouse(["test", dir, "--no-boundary", "--format", "junit"]);
    expect(junit.code).toBe(1);
    expect(junit.stdout).toContain('<testsuite name="sales" tests="4" failures="1">');
    expect(junit.stdout).toContain('<testcase name="sales &#62; Data Loader is blocked" classname="sales"');
    expect(junit.stdout).toContain('<failure message="expected allow, got deny [APP_BLOCKED]">');

    const json = JSON.parse((await gatehouse(["test", dir, "--no-boundary", "--format", "json"])).stdout) as {
      summary: { passed: number; failed: number };
      results: Array<{ name: string; status: string; line: number }>;
    };
    expect(json.summary).toEqual({ passed: 9, failed: 1 });
    expect(json.results.find((r) => r.status === "failed")).toMatchObject({
      name: "sales > Data Loader is blocked",
      line: 69,
    });
  });

  it("generates the first, last and neighbouring addresses of every merged range, IPv4 also in mapped form", async () => {
    const c = await compileDir(
      policyDir({
        "o.yaml": `${ORG}trustedIpRanges: [203.0.113.0/24]\n`,
        "p.yaml":
          'kind: Profile\nname: P\nloginIpRanges: [{start: 10.0.0.5, end: 10.0.0.9}, 10.0.0.10/31, "2001:db8::/127"]\n---\nkind: Profile\nname: Open\n',
      }),
    );
    const cases = boundaryCases(c.policy!, { maxIntervalsPerList: 10 });
    expect(
      cases.filter((b) => b.code === "IP_OUTSIDE_LOGIN_RANGES").map((b) => [b.request.sourceIp, b.expectPresent]),
    ).toEqual([
      ["10.0.0.5", false],
      ["::ffff:10.0.0.5", false],
      ["10.0.0.11", false],
      ["::ffff:10.0.0.11", false],
      ["10.0.0.4", true],
      ["::ffff:10.0.0.4", true],
      ["10.0.0.12", true],
      ["::ffff:10.0.0.12", true],
      ["2001:db8::", false],
      ["2001:db8::1", false],
      ["2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", true],
      ["2001:db8::2", true],
    ]);
    expect(cases.filter((b) => b.code === "IDENTITY_VERIFICATION_REQUIRED")).toHaveLength(8);
  });
});
