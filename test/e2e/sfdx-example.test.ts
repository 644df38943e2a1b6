import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importSfdx, IMPORT_FILES } from "../../compiler/sfdx/import.js";
import { packageRoot } from "../../core/package-root.js";
import { gatehouse } from "../helpers/cli.js";
import { tempDir } from "../helpers/policy.js";

const example = join(packageRoot(), "examples", "sfdx-org");
const policy = join(example, "policy");

describe("examples/sfdx-org", () => {
  it("its imported files are what importing its source tree writes today", () => {
    const result = importSfdx(example, { orgName: "acme", schemaPath: "../../../schemas/policy.schema.json" });
    expect(result.notes.filter((n) => n.level === "error")).toEqual([]);
    for (const file of IMPORT_FILES) {
      const committed = existsSync(join(policy, file)) ? readFileSync(join(policy, file), "utf8") : undefined;
      expect(committed, `${file} is stale: re-run the import in the README`).toBe(result.files?.get(file));
    }
  });

  it("checks with warnings only, reviews with positions and decides its requests as expected", async () => {
    expect((await gatehouse(["check", policy])).code).toBe(0);
    const review = await gatehouse(["review", policy, "--today", "2026-11-23", "--fail-on", "high"]);
    expect(review.code).toBe(1);
    const text = review.stdout.replaceAll(policy, "P");
    expect(text.split("\n")[0]).toBe("gatehouse review of P: score 23/100 (Very Poor)");
    expect(text).toContain(
      "  GR002 connected app `Data_Warehouse` runs the client-credentials flow as `warehouse.integration@acme.example`, who does not hold `ApiUserOnly`\n" +
        "    --> P/connected-apps.yaml:18:12  the client-credentials run-as user\n",
    );
    expect(text.trimEnd().split("\n").at(-1)).toBe(
      "3 critical, 2 high (1 acknowledged), 3 medium (1 acknowledged), 1 low, 1 info",
    );
    const out = tempDir();
    expect((await gatehouse(["build", policy, "-o", out])).code).toBe(0);
    const run = await gatehouse([
      "eval",
      "--bundle",
      join(out, "bundle.tar.gz"),
      "--inputs",
      join(example, "requests.jsonl"),
      "--expect",
      join(example, "expected.jsonl"),
    ]);
    expect(run.stderr).toContain("all 8 decisions match");
    expect(run.code).toBe(0);
  });
});
