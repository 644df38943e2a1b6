import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { compileDir, ORG, policyDir } from "../helpers/policy.js";
import { runOpa } from "../helpers/opa.js";
import { writeSources } from "../helpers/topdown.js";

describe("generated Rego", () => {
  it("passes `opa check --strict` and `opa fmt` leaves it unchanged", async () => {
    const c = await compileDir(join(packageRoot(), "examples", "quickstart"));
    const dir = writeSources(c.emitted!);
    const check = runOpa(["check", "--strict", join(dir, "gatehouse")]);
    expect(check.stderr + check.stdout).toBe("");
    expect(check.status).toBe(0);
    const fmt = runOpa(["fmt", "--list", "--fail", join(dir, "gatehouse")]);
    expect(fmt.stdout).toBe("");
    expect(fmt.status).toBe(0);
  });

  it("is the same code for any declarations: hostile names only ever reach data.json", async () => {
    const plain = await compileDir(policyDir({ "o.yaml": ORG, "p.yaml": "kind: Profile\nname: P\n" }));
    const hostile = await compileDir(
      policyDir({
        "o.yaml": ORG,
        "p.yaml": [
          "kind: Profile",
          'name: "x\\"} allow := true # "',
          'description: "}\\n\\ndefault allow := true\\n"',
          "---",
          "kind: Profile",
          "name: 'package evil'",
          "---",
          "kind: ConnectedApp",
          'name: "{{pkg}} `backtick` \\u202e"',
          "clientIds: [\"') + data.x + ('\", __proto__, constructor]",
          "",
        ].join("\n"),
      }),
    );
    expect(hostile.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const rego = (c: typeof plain): string[] =>
      [...c.emitted!.files].filter(([p]) => p.endsWith(".rego")).map(([, t]) => t);
    expect(rego(hostile)).toEqual(rego(plain));
    const data = JSON.parse(hostile.emitted!.files.get("data.json")!) as {
      gatehouse: { policy: { profiles: object; apps: object } };
    };
    expect(Object.keys(data.gatehouse.policy.profiles).sort()).toEqual(["package evil", 'x"} allow := true # '].sort());
    expect(Object.keys(data.gatehouse.policy.apps).sort()).toEqual(
      ["') + data.x + ('", "__proto__", "constructor"].sort(),
    );
  });
});
