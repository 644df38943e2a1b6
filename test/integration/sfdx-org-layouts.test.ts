/**
 * The northwind fixture (test/fixtures/sfdx-org): one org written in both metadata layouts, with
 * namespaced names, permission set groups with muting, a profile without user permissions, no
 * settings files, a shared permission set label, a disabled External Client App and stray files.
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { importSfdx } from "../../compiler/sfdx/import.js";
import { packageRoot } from "../../core/package-root.js";
import { gatehouse } from "../helpers/cli.js";
import { tempDir } from "../helpers/policy.js";
import { filesUnder } from "../helpers/trees.js";

const fixture = join(packageRoot(), "test", "fixtures", "sfdx-org");
const source = join(fixture, "source-format");
const mdapi = join(fixture, "metadata-api");

function docsOf(yaml: string | undefined): Array<Record<string, unknown>> {
  return parseAllDocuments(yaml ?? "").map((d) => d.toJSON() as Record<string, unknown>);
}

describe("import sfdx: both layouts of one org", () => {
  const fromSource = importSfdx(source, { orgName: "northwind" });
  const fromMdapi = importSfdx(mdapi, { orgName: "northwind" });

  it("imports both without errors and writes identical YAML", () => {
    expect(fromSource.notes.filter((n) => n.level === "error")).toEqual([]);
    expect(fromMdapi.notes.filter((n) => n.level === "error")).toEqual([]);
    expect([...fromSource.files!.keys()]).toEqual([
      "org.yaml",
      "profiles.yaml",
      "permission-sets.yaml",
      "permission-set-groups.yaml",
      "connected-apps.yaml",
    ]);
    expect([...fromMdapi.files!]).toEqual([...fromSource.files!]);
    expect(fromMdapi.notes.map((n) => n.message)).toContain("read 19 file(s) in the Metadata API layout");
    expect(fromSource.notes.map((n) => n.message)).toContain("read 19 file(s) in the source format (`*-meta.xml`)");
  });

  it("accounts for every file of the tree: mapped, or ignored with a reason (.forceignore honoured)", () => {
    for (const [dir, result] of [
      [source, fromSource],
      [mdapi, fromMdapi],
    ] as const) {
      const mentioned = new Set(result.notes.map((n) => n.file));
      expect(filesUnder(dir).filter((f) => !mentioned.has(f))).toEqual([]);
    }
    const jsconfig = fromSource.notes.find((n) => n.file.endsWith("jsconfig.json"));
    expect(jsconfig).toMatchObject({ level: "ignored", message: "excluded by `.forceignore`" });
    expect(fromSource.notes.find((n) => n.file.endsWith("OrderService.cls"))?.level).toBe("ignored");
  });

  it("imports from a folder inside the project, still honouring the project's .forceignore", () => {
    const inner = importSfdx(join(source, "force-app"), { orgName: "northwind" });
    expect(inner.notes.filter((n) => n.level === "error")).toEqual([]);
    expect(inner.notes.find((n) => n.file.endsWith("jsconfig.json"))?.message).toBe("excluded by `.forceignore`");
    expect(inner.files?.get("profiles.yaml")).toBe(fromSource.files?.get("profiles.yaml"));
  });

  it("imports groups with their muted permissions, and records what it did not see", () => {
    expect(docsOf(fromSource.files?.get("permission-set-groups.yaml"))).toEqual([
      {
        kind: "PermissionSetGroup",
        name: "Integrations",
        label: "Integrations",
        permissionSets: ["nwsync__Integration_Access", "Reports_Export"],
        unseen: ["mutingPermissions"],
      },
      {
        kind: "PermissionSetGroup",
        name: "Sales_Ops",
        label: "Sales Operations",
        permissionSets: ["Api_Access", "Bypass_Api_Control"],
        mutingPermissions: ["UseAnyApiClient"],
      },
    ]);
    expect(docsOf(fromSource.files?.get("org.yaml"))).toEqual([
      { kind: "Org", name: "northwind", unseen: ["apiAccessControl", "session", "trustedIpRanges"] },
    ]);
    const sales = docsOf(fromSource.files?.get("profiles.yaml")).find((d) => d.name === "Northwind Sales");
    expect(sales).toEqual({
      kind: "Profile",
      name: "Northwind Sales",
      userLicense: "Salesforce",
      unseen: ["permissions"],
    });
  });

  it("resolves namespaced and percent-encoded names, and never guesses between permission sets sharing a label", () => {
    const apps = docsOf(fromSource.files?.get("connected-apps.yaml"));
    expect(apps.find((a) => a.name === "Northwind_Sync")).toMatchObject({
      permissionSets: ["nwsync__Integration_Access"],
      profiles: ["Admin"],
    });
    expect(fromSource.notes.map((n) => n.message)).toContain(
      "connected app `Northwind_Sync`: permission set label `API Access` is shared by `Api_Access`, `Api_Access_Legacy`; the assignment is not imported (assign it in YAML by name)",
    );
    const names = docsOf(fromSource.files?.get("profiles.yaml")).map((d) => d.name);
    expect(names).toContain("Northwind Partner/Reseller");
  });

  it("imports a disabled External Client App as blocked", () => {
    const warehouse = docsOf(fromMdapi.files?.get("connected-apps.yaml")).find((a) => a.name === "Warehouse");
    expect(warehouse).toMatchObject({ metadataType: "ExternalClientApplication", blocked: true });
  });

  it("lists what it found when nothing is importable", () => {
    const dir = tempDir();
    for (const f of ["src/classes/A.cls", "src/classes/B.cls", "src/classes/A.cls-meta.xml", "src/package.xml"]) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), "x");
    }
    const errors = importSfdx(dir, { orgName: "x" }).notes.filter((n) => n.level === "error");
    expect(errors.map((e) => e.message)).toEqual([
      "nothing importable: found 2 `*.cls` files in `src/classes`, 1 `*.cls-meta.xml` file in `src/classes`, 1 `*.xml` file in `src`; the importer reads `*.connectedApp`, `*.profile`, `*.permissionset`, `*.permissionsetgroup`, `*.mutingpermissionset`, `*.ecaOauthPlcy`, `*.ecaOauth`, `*.ecaGlblOauth`, `*.ecaPlcy`, `*.eca`, `Security.settings`, `ConnectedApp.settings` (Metadata API layout) or the same names ending `-meta.xml` (source format)",
    ]);
  });

  it("streams a profile of more than 50 MB in the Metadata API layout", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "src", "profiles"), { recursive: true });
    const path = join(dir, "src", "profiles", "Huge.profile");
    const chunk = Array.from(
      { length: 1000 },
      (_, i) =>
        `    <fieldPermissions>\n        <editable>true</editable>\n        <field>Account.F_${i}__c</field>\n        <readable>true</readable>\n    </fieldPermissions>\n`,
    ).join("");
    const parts = [
      '<?xml version="1.0" encoding="UTF-8"?>\n<Profile xmlns="http://soap.sforce.com/2006/04/metadata">\n',
    ];
    for (let i = 0; i < 400; i++) parts.push(chunk);
    parts.push("    <userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions>\n</Profile>\n");
    writeFileSync(path, parts.join(""));
    expect(statSync(path).size).toBeGreaterThan(50 * 1024 * 1024);
    const result = importSfdx(dir, { orgName: "x" });
    expect(result.notes.filter((n) => n.level === "error")).toEqual([]);
    expect(docsOf(result.files?.get("profiles.yaml"))).toEqual([
      { kind: "Profile", name: "Huge", permissions: ["ApiEnabled"] },
    ]);
  });
});

describe("check and review of the imported northwind org", () => {
  it("checks with warnings for every unseen fact, and review reports nothing from absence alone", async () => {
    const out = tempDir();
    expect((await gatehouse(["import", "sfdx", source, "-o", out, "--org-name", "northwind"])).code).toBe(0);
    const check = await gatehouse(["check", out, "--format", "json"]);
    expect(check.code).toBe(0);
    const codes = (JSON.parse(check.stdout) as { diagnostics: Array<{ code: string; message: string }> }).diagnostics
      .filter((d) => d.code === "GH309")
      .map((d) => d.message);
    expect(codes).toEqual([
      "`apiAccessControl` of org `northwind` was not in the imported source, so API access control is read as off",
      "`session` of org `northwind` was not in the imported source, so the session settings are read as off",
      "`trustedIpRanges` of org `northwind` was not in the imported source, so the org is read as having no trusted IP ranges",
      "`mutingPermissions` of permission set group `Integrations` was not in the imported source, so it is read as muting nothing",
      "`permissions` of profile `Northwind Sales` was not in the imported source, so it is read as granting no permission",
    ]);
    const review = JSON.parse(
      (await gatehouse(["review", out, "--format", "json", "--today", "2026-12-01"])).stdout,
    ) as {
      findings: Array<{ id: string; subject: { kind: string; name: string } }>;
      unverified: Array<{ id: string; subject: { name: string }; retrieve: string[] }>;
    };
    const ids = (list: Array<{ id: string; subject: { name: string } }>): string[] =>
      list.map((f) => `${f.id} ${f.subject.name}`);
    for (const f of ids(review.findings)) expect(f).not.toMatch(/^GR0(06|07|10|11) |Northwind Sales/);
    expect(ids(review.unverified)).toEqual(
      expect.arrayContaining(["GR006 northwind", "GR010 northwind", "GR011 northwind", "GR003 Northwind Sales"]),
    );
    expect(review.unverified.find((f) => f.id === "GR006")?.retrieve).toEqual([
      "retrieve `ConnectedAppSettings:ConnectedApp` (settings/ConnectedApp.settings)",
    ]);
  });
});
