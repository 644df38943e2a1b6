import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { gatehouse } from "../helpers/cli.js";
import { tempDir } from "../helpers/policy.js";

const quickstart = join(packageRoot(), "examples", "quickstart");

describe("gatehouse build writes types.ts", () => {
  it("beside the bundle, for the bundle's revision; not with --no-types", async () => {
    const out = tempDir();
    const run = await gatehouse(["build", quickstart, "-o", out]);
    expect(run.code).toBe(0);
    const revision = /\(revision ([0-9a-f]{32}),/.exec(run.stderr)![1]!;
    expect(run.stderr).toContain(`gatehouse: wrote ${join(out, "types.ts")}\n`);
    const types = readFileSync(join(out, "types.ts"), "utf8");
    expect(types).toContain(`export const REVISION = "${revision}";`);
    expect(types).toContain(
      'import type { Authorizer, AuthorizerPool, ReloadingAuthorizer, Decision as RuntimeDecision, Request as RuntimeRequest } from "gatehouse-policy-runtime";',
    );

    const bare = tempDir();
    expect((await gatehouse(["build", quickstart, "-o", bare, "--no-types"])).code).toBe(0);
    expect(existsSync(join(bare, "bundle.tar.gz"))).toBe(true);
    expect(existsSync(join(bare, "types.ts"))).toBe(false);
  });
});
