/**
 * `gatehouse export sfdx --into`: merging a policy into a retrieved tree changes only the
 * elements Gatehouse owns, and nothing at all when the policy is what the tree says. The plain
 * export never writes a value unseen at import, an undeclared empty `networkAccess`, or a
 * permission name Salesforce does not document.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/pipeline.js";
import { exportSfdx } from "../../compiler/sfdx/export.js";
import { packageRoot } from "../../core/package-root.js";
import { gatehouse } from "../helpers/cli.js";
import { policyDir, tempDir, ORG } from "../helpers/policy.js";
import { copyTree, treeBytes } from "../helpers/trees.js";

const fixtures = join(packageRoot(), "test", "fixtures");

/** A writable copy of a fixture tree, imported to YAML next to it. */
async function importedCopy(fixture: string): Promise<{ tree: string; policy: string }> {
  const work = tempDir();
  const tree = join(work, "tree");
  copyTree(fixture, tree);
  const policy = join(work, "policy");
  const run = await gatehouse(["import", "sfdx", tree, "-o", policy, "--org-name", "northwind"]);
  expect(run.code, run.stderr).toBe(0);
  return { tree, policy };
}

async function exportInto(policy: string, tree: string): Promise<string> {
  const run = await gatehouse(["export", "sfdx", policy, "--into", tree]);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  return run.stderr;
}

/** The files whose bytes differ between two snapshots of a tree (also added or removed ones). */
function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}

describe("export sfdx --into", () => {
  it.each([
    ["the source format", join(fixtures, "sfdx-org", "source-format")],
    ["the Metadata API layout", join(fixtures, "sfdx-org", "metadata-api")],
    ["the older fixture with settings files", join(fixtures, "sfdx")],
  ])("import → export --into on an unchanged policy leaves %s byte-identical", async (_, fixture) => {
    const { tree, policy } = await importedCopy(fixture);
    const before = treeBytes(tree);
    const said = await exportInto(policy, tree);
    expect(changedFiles(before, treeBytes(tree))).toEqual([]);
    expect(said).toMatch(/changed or created 0 files under .*; \d+ already matched the policy/);
  });

  it("a one-range change rewrites exactly that one element and leaves every other byte", async () => {
    const { tree, policy } = await importedCopy(join(fixtures, "sfdx-org", "source-format"));
    const before = treeBytes(tree);
    const profiles = join(policy, "profiles.yaml");
    writeFileSync(profiles, readFileSync(profiles, "utf8").replace("end: 198.51.100.255", "end: 198.51.100.127"));
    await exportInto(policy, tree);
    const file = "force-app/main/default/profiles/Admin.profile-meta.xml";
    expect(changedFiles(before, treeBytes(tree))).toEqual([file]);
    const old = Buffer.from(before.get(file)!, "base64").toString("utf8").split("\n");
    const now = readFileSync(join(tree, file), "utf8").split("\n");
    expect(now.length).toBe(old.length);
    const differing = now.map((l, i) => [l, old[i]]).filter(([a, b]) => a !== b);
    expect(differing).toEqual([
      ["        <endAddress>198.51.100.127</endAddress>", "        <endAddress>198.51.100.255</endAddress>"],
    ]);
  });

  it("grants a permission by adding one element, keeping field permissions, licence and other permissions", async () => {
    const { tree, policy } = await importedCopy(join(fixtures, "sfdx-org", "metadata-api"));
    const file = "src/profiles/Integration.profile";
    const original = readFileSync(join(tree, file), "utf8");
    const profiles = join(policy, "profiles.yaml");
    const yaml = readFileSync(profiles, "utf8").replace(
      "name: Integration\nuserLicense: Salesforce Integration\npermissions:\n  - ApiEnabled\n  - ApiUserOnly\n",
      "name: Integration\nuserLicense: Salesforce Integration\npermissions:\n  - ApiEnabled\n  - ApiUserOnly\n  - UseAnyApiClient\n",
    );
    expect(yaml).not.toBe(readFileSync(profiles, "utf8"));
    writeFileSync(profiles, yaml);
    await exportInto(policy, tree);
    const merged = readFileSync(join(tree, file), "utf8");
    const added =
      "    <userPermissions>\n        <enabled>true</enabled>\n        <name>UseAnyApiClient</name>\n    </userPermissions>\n";
    expect(merged).toBe(original.replace("</Profile>\n", `${added}</Profile>\n`));
  });

  it("never removes an assignment it could not resolve at import (a label two permission sets share)", async () => {
    const { tree, policy } = await importedCopy(join(fixtures, "sfdx-org", "source-format"));
    const apps = join(policy, "connected-apps.yaml");
    writeFileSync(
      apps,
      readFileSync(apps, "utf8").replace(
        "ipRelaxation: ENFORCE\ntrustedIpRanges",
        "ipRelaxation: BYPASS\ntrustedIpRanges",
      ),
    );
    await exportInto(policy, tree);
    const app = readFileSync(
      join(tree, "force-app/main/default/connectedApps/Northwind_Sync.connectedApp-meta.xml"),
      "utf8",
    );
    expect(app).toContain("<permissionSetName>API Access</permissionSetName>");
    expect(app).toContain("<ipRelaxation>BYPASS</ipRelaxation>");
    expect(app).toContain("<contactEmail>integrations@northwind.example</contactEmail>");
  });

  it("refuses to run without exactly one of -o and --into", async () => {
    const dir = policyDir({ "org.yaml": ORG });
    expect((await gatehouse(["export", "sfdx", dir])).code).toBe(2);
    expect((await gatehouse(["export", "sfdx", dir, "-o", tempDir(), "--into", tempDir()])).code).toBe(2);
  });
});

describe("plain export: nothing unknown, nothing destructive by default", () => {
  async function exported(files: Record<string, string>): Promise<ReturnType<typeof exportSfdx>> {
    const c = await compile(policyDir(files), { until: "validate" });
    expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    return exportSfdx(c.policy!);
  }
  const security = "force-app/main/default/settings/Security.settings-meta.xml";

  it("writes no networkAccess when no trusted ranges are declared, and an empty one only when declared so", async () => {
    const none = await exported({ "org.yaml": `${ORG}session: {lockSessionsToIp: true}\n` });
    expect(none.files.get(security)).not.toContain("networkAccess");
    const explicit = await exported({ "org.yaml": `${ORG}trustedIpRanges: []\n` });
    expect(explicit.files.get(security)).toContain("<networkAccess></networkAccess>");
    expect(explicit.notes.map((n) => n.message).join("\n")).toContain("removes every trusted IP range");
  });

  it("writes no settings and no user permissions that were unseen at import", async () => {
    const out = await exported({
      "org.yaml": `${ORG}unseen: [apiAccessControl, session, trustedIpRanges]\n`,
      "p.yaml": "kind: Profile\nname: Sales\nunseen: [permissions]\n",
    });
    expect([...out.files.keys()].filter((f) => f.includes("/settings/"))).toEqual([]);
    expect(out.files.get("force-app/main/default/profiles/Sales.profile-meta.xml")).not.toContain("userPermissions");
  });

  it("never writes a permission name Salesforce does not document, and names ECA files as Salesforce retrieves them", async () => {
    const out = await exported({
      "org.yaml": ORG,
      "p.yaml": "kind: Profile\nname: 'Custom: Ops/EU'\npermissions: [ApiEnabled, ApproveUninstalledConnectedApps]\n",
      "a.yaml":
        "kind: ConnectedApp\nname: Warehouse\nmetadataType: ExternalClientApplication\nclientIds: [k]\nblocked: true\n",
    });
    const profile = out.files.get("force-app/main/default/profiles/Custom%3A Ops%2FEU.profile-meta.xml");
    expect(profile).toContain("<name>ApiEnabled</name>");
    expect(profile).not.toContain("ApproveUninstalledConnectedApps");
    expect([...out.files.keys()].filter((f) => /extlClnt|externalClient/.test(f))).toEqual([
      "force-app/main/default/externalClientApps/Warehouse.eca-meta.xml",
      "force-app/main/default/extlClntAppGlobalOauthSets/Warehouse_glbl.ecaGlblOauth-meta.xml",
      "force-app/main/default/extlClntAppOauthPolicies/Warehouse_oauthPlcy.ecaOauthPlcy-meta.xml",
      "force-app/main/default/extlClntAppOauthSettings/Warehouse_oauth.ecaOauth-meta.xml",
      "force-app/main/default/extlClntAppPolicies/Warehouse_plcy.ecaPlcy-meta.xml",
    ]);
    expect(out.files.get("force-app/main/default/extlClntAppPolicies/Warehouse_plcy.ecaPlcy-meta.xml")).toContain(
      "<isEnabled>false</isEnabled>",
    );
  });
});
