import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { importSfdx, type ImportResult } from "../../compiler/sfdx/import.js";
import { readRelaxation } from "../../compiler/sfdx/enums.js";
import { decodeFileName, encodeFileName } from "../../compiler/sfdx/names.js";
import { isXmlProblem, readMetadataXml } from "../../compiler/sfdx/xml-reader.js";
import { policyDir, tempDir } from "../helpers/policy.js";

const fixtures = join(packageRoot(), "test", "fixtures", "sfdx");
const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const APPS = "force-app/main/default/connectedApps";

/** Every YAML document of an import, by `kind/name`. */
function documents(result: ImportResult): Map<string, Record<string, unknown>> {
  const docs = new Map<string, Record<string, unknown>>();
  for (const text of result.files?.values() ?? [])
    for (const d of parseAllDocuments(text)) {
      const value = d.toJS() as Record<string, unknown>;
      docs.set(`${String(value.kind)}/${String(value.name)}`, value);
    }
  return docs;
}

function notes(result: ImportResult, level: string): string[] {
  return result.notes.filter((n) => n.level === level).map((n) => `${n.file}:${n.line ?? ""} ${n.message}`);
}

function app(xml: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ConnectedApp ${NS}>\n${xml}\n</ConnectedApp>\n`;
}

describe("import sfdx: the fixture tree", () => {
  const result = importSfdx(fixtures, { orgName: "acme" });
  const docs = documents(result);

  it("writes the four files and reports no errors", () => {
    expect(notes(result, "error")).toEqual([]);
    expect([...(result.files?.keys() ?? [])]).toEqual([
      "org.yaml",
      "profiles.yaml",
      "permission-sets.yaml",
      "connected-apps.yaml",
    ]);
    expect([...docs.keys()].sort()).toEqual([
      "ConnectedApp/Data_Warehouse",
      "ConnectedApp/Field_Service_Mobile",
      "ConnectedApp/Legacy_Reporting",
      "ConnectedApp/Partner_Portal_API",
      "ConnectedApp/Salesforce_Mobile_Sales",
      "ConnectedApp/Service_Now_Integration_Consumers",
      "Org/acme",
      "PermissionSet/API_Client_Bypass",
      "PermissionSet/Data_Warehouse_Loader",
      "PermissionSet/Integration_User_Service_Now",
      "Profile/Admin",
      "Profile/Custom: Support Profile",
      "Profile/Field Technician",
      "Profile/Minimum Access - API Only Integrations",
      "Profile/Partner Community User",
      "Profile/Standard",
    ]);
  });

  it("resolves permission-set labels and standard profiles' display names to names", () => {
    expect(docs.get("ConnectedApp/Service_Now_Integration_Consumers")).toMatchObject({
      profiles: ["Minimum Access - API Only Integrations"],
      permissionSets: ["Integration_User_Service_Now"],
      runAsUser: "servicenow.integration@acme.example",
      clientIds: ["3MVG9fixtureServiceNowConsumerKey000001"],
    });
    expect(docs.get("ConnectedApp/Salesforce_Mobile_Sales")).toMatchObject({
      profiles: ["Admin", "Standard"],
      ipRelaxation: "ENFORCE_RELAXREFRESH",
      sessionPolicy: { highAssurance: { action: "stepUp" } },
    });
    expect(docs.get("Profile/Admin")).toMatchObject({ label: "System Administrator" });
    expect(notes(result, "mapped")).toContain(
      `${APPS}/Service_Now_Integration_Consumers.connectedApp-meta.xml:27 connected app \`Service_Now_Integration_Consumers\`: permission set \`Integration User - Service Now\` is \`Integration_User_Service_Now\``,
    );
    expect(notes(result, "mapped")).toContain(
      `${APPS}/Salesforce_Mobile_Sales.connectedApp-meta.xml:18 connected app \`Salesforce_Mobile_Sales\`: profile \`System Administrator\` is \`Admin\``,
    );
  });

  it("reads elements in any order and keeps overlapping, non-CIDR ranges as written", () => {
    expect(docs.get("ConnectedApp/Partner_Portal_API")).toEqual({
      kind: "ConnectedApp",
      name: "Partner_Portal_API",
      label: "Partner Portal API",
      clientIds: ["3MVG9fixturePartnerPortalConsumerKey003"],
      permittedUsers: "adminApproved",
      profiles: ["Partner Community User"],
      ipRelaxation: "BYPASS_2FACTOR",
      trustedIpRanges: [
        { start: "192.0.2.10", end: "192.0.2.10", description: "partner gateway A" },
        { start: "192.0.2.20", end: "192.0.2.20", description: "partner gateway B" },
        { start: "2001:db8:77::1", end: "2001:db8:77::1", description: "partner gateway C (IPv6)" },
      ],
    });
    expect((docs.get("Profile/Admin")?.loginIpRanges as unknown[]).slice(0, 2)).toEqual([
      { start: "10.0.0.0", end: "10.255.255.255", description: "corporate network" },
      { start: "10.1.2.83", end: "10.1.2.86", description: "VPN pool (inside the corporate range)" },
    ]);
  });

  it("decodes percent-encoded file names and maps only the permissions Gatehouse evaluates", () => {
    expect(docs.get("Profile/Custom: Support Profile")).toEqual({
      kind: "Profile",
      name: "Custom: Support Profile",
      userLicense: "Salesforce",
      permissions: ["ApiEnabled"],
    });
    expect(docs.get("Profile/Standard")?.permissions).toEqual(["ApiEnabled"]);
    expect(notes(result, "ignored")).toContain(
      "force-app/main/default/profiles/Admin.profile-meta.xml:2 profile `Admin`: 3 user permissions Gatehouse does not evaluate (`ManageUsers`, `ModifyAllData`, `ViewAllData`)",
    );
  });

  it("imports an External Client App from its files, with the ECA spelling normalized", () => {
    expect(docs.get("ConnectedApp/Data_Warehouse")).toEqual({
      kind: "ConnectedApp",
      name: "Data_Warehouse",
      label: "Data Warehouse Loader",
      metadataType: "ExternalClientApplication",
      clientIds: ["3MVG9fixtureDataWarehouseConsumerKey006"],
      permittedUsers: "adminApproved",
      permissionSets: ["Data_Warehouse_Loader"],
      ipRelaxation: "ENFORCE_RELAXREFRESH",
      runAsUser: "warehouse.integration@acme.example",
    });
    expect(notes(result, "warning")).toContain(
      "force-app/main/default/extlClntAppOauthPolicies/Data_Warehouse_plcy.ecaOauthPlcy-meta.xml:6 External Client App `Data_Warehouse`: `Enforce_relaxrefresh` read as `Enforce_RelaxRefresh` (letter case differs from the documented spelling)",
    );
  });

  it("maps the settings to the Org and lists what it ignored and why", () => {
    expect(docs.get("Org/acme")).toEqual({
      kind: "Org",
      name: "acme",
      apiAccessControl: { allowlistedAppsOnly: true, customersAndPartnersInstalledAppsOnly: true },
      session: { enforceLoginIpRangesEveryRequest: true, lockSessionsToIp: false },
      trustedIpRanges: [
        { start: "203.0.113.0", end: "203.0.113.255", description: "head office" },
        { start: "10.0.0.0", end: "10.255.255.255", description: "VPN" },
      ],
    });
    expect(notes(result, "ignored")).toContain(
      "force-app/main/default/settings/Security.settings-meta.xml: security settings: `disableTimeoutWarning`, `forceLogoutOnSessionTimeout`, `forceRelogin`, `lockSessionsToDomain`, `passwordPolicies`, `sessionTimeout` (not modelled by Gatehouse)",
    );
    expect(notes(result, "ignored")).toContain(
      "force-app/main/default/profiles/Admin.profile-meta.xml: profile `Admin`: `applicationVisibilities`, `fieldPermissions` ×2, `layoutAssignments`, `objectPermissions`, `tabVisibilities` (not modelled by Gatehouse)",
    );
  });

  it("comments every document with the component file and line it came from, the same in both layouts", () => {
    const apps = result.files?.get("connected-apps.yaml") ?? "";
    expect(apps.split("\n").slice(0, 7)).toEqual([
      "# Generated by `gatehouse import sfdx`; the next import overwrites this file.",
      "# from extlClntAppOauthPolicies/Data_Warehouse_plcy.ecaOauthPlcy:2",
      "# from externalClientApps/Data_Warehouse.eca:2",
      "# from extlClntAppGlobalOauthSets/Data_Warehouse_glbl.ecaGlblOauth:2",
      "# from extlClntAppOauthSettings/Data_Warehouse_oauth.ecaOauth:2",
      "",
      "kind: ConnectedApp",
    ]);
    expect(apps).toContain("# from connectedApps/Partner_Portal_API.connectedApp:2\n");
  });
});

describe("import sfdx: values it refuses", () => {
  it.each([["ENFORCE_ACTIVATED_USERS"], ["ENFORCE_ACTIVATED_DEVICES"], ["RELAX_IP_RESTRICTIONS"]])(
    "reports the fabricated IP relaxation `%s` and writes nothing",
    (value) => {
      const dir = policyDir({
        [`${APPS}/Bad.connectedApp-meta.xml`]: app(
          `    <label>Bad</label>\n    <oauthPolicy>\n        <ipRelaxation>${value}</ipRelaxation>\n    </oauthPolicy>`,
        ),
      });
      const result = importSfdx(dir, { orgName: "acme" });
      expect(result.files).toBeUndefined();
      expect(notes(result, "error")).toEqual([
        `${APPS}/Bad.connectedApp-meta.xml:5 connected app \`Bad\`: \`${value}\` is not an IP relaxation value (valid: \`ENFORCE\`, \`ENFORCE_RELAXREFRESH\`, \`BYPASS_2FACTOR\`, \`BYPASS\`); it is not imported`,
      ]);
    },
  );

  it("reads both spellings, with a warning for the other family's", () => {
    expect(readRelaxation("BYPASS_2FACTOR", "ConnectedApp")).toEqual({ ok: true, value: "BYPASS_2FACTOR" });
    expect(readRelaxation("Bypass_2factor", "ExternalClientApplication")).toEqual({
      ok: true,
      value: "BYPASS_2FACTOR",
    });
    expect(readRelaxation("BYPASS", "ExternalClientApplication")).toEqual({
      ok: true,
      value: "BYPASS",
      caveat:
        "`BYPASS` is the connected-app spelling; an External Client App policy spells it `Bypass` and Salesforce rejects `BYPASS` there",
    });
    expect(readRelaxation("Enforce", "ConnectedApp")).toMatchObject({ ok: true, value: "ENFORCE" });
    expect(readRelaxation("Enforce", "ConnectedApp")).toHaveProperty("caveat");
  });

  it("reports invalid addresses, booleans and session policies at their lines", () => {
    const dir = policyDir({
      [`${APPS}/Odd.connectedApp-meta.xml`]: app(
        [
          "    <ipRanges>",
          "        <end>10.0.0.300</end>",
          "        <start>010.0.0.1</start>",
          "    </ipRanges>",
          "    <oauthConfig>",
          "        <isAdminApproved>yes</isAdminApproved>",
          "    </oauthConfig>",
          "    <oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation></oauthPolicy>",
          "    <sessionPolicy>",
          "        <sessionLevel>HIGH_ASSURANCE</sessionLevel>",
          "    </sessionPolicy>",
        ].join("\n"),
      ),
    });
    const result = importSfdx(dir, { orgName: "acme" });
    expect(result.files).toBeUndefined();
    expect(notes(result, "error").sort()).toEqual([
      `${APPS}/Odd.connectedApp-meta.xml:12 connected app \`Odd\`: a high-assurance session policy needs \`policyAction\` \`Block\` or \`RaiseSessionLevel\``,
      `${APPS}/Odd.connectedApp-meta.xml:3 connected app \`Odd\` has a range whose \`010.0.0.1\` is not an address and \`10.0.0.300\` is not an address`,
      `${APPS}/Odd.connectedApp-meta.xml:8 \`isAdminApproved\` of connected app \`Odd\` is \`yes\`, not \`true\` or \`false\``,
    ]);
  });

  it("reports malformed XML and a foreign namespace with their lines", () => {
    const dir = policyDir({
      [`${APPS}/Broken.connectedApp-meta.xml`]: `<?xml version="1.0"?>\n<ConnectedApp ${NS}>\n  <label>x</lbl>\n</ConnectedApp>\n`,
      "force-app/main/default/profiles/Foreign.profile-meta.xml": `<Profile xmlns="urn:other">\n</Profile>\n`,
    });
    const result = importSfdx(dir, { orgName: "acme" });
    expect(notes(result, "error")).toEqual([
      `${APPS}/Broken.connectedApp-meta.xml:3 malformed XML: unexpected close tag`,
      "force-app/main/default/profiles/Foreign.profile-meta.xml:1 root element `Profile` is not in the metadata namespace `http://soap.sforce.com/2006/04/metadata`",
    ]);
  });

  it("never expands entities: an entity declaration is malformed metadata", () => {
    const dir = policyDir({
      "force-app/main/default/profiles/X.profile-meta.xml": [
        '<?xml version="1.0"?>',
        '<!DOCTYPE Profile [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;"><!ENTITY x SYSTEM "file:///etc/passwd">]>',
        `<Profile ${NS}><userLicense>&b;&x;</userLicense></Profile>`,
        "",
      ].join("\n"),
    });
    expect(notes(importSfdx(dir, { orgName: "acme" }), "error")).toEqual([
      "force-app/main/default/profiles/X.profile-meta.xml:3 malformed XML: undefined entity",
    ]);
  });

  it("refuses a tree without metadata, and a profile defined twice", () => {
    expect(notes(importSfdx(policyDir({ "README.md": "hi" }), { orgName: "acme" }), "error")).toEqual([
      expect.stringContaining(
        ": nothing importable: found 1 `*.md` file in `.`; the importer reads `*.connectedApp`, `*.profile`",
      ),
    ]);
    const profile = `<Profile ${NS}><userLicense>Salesforce</userLicense></Profile>`;
    const dir = policyDir({
      "force-app/main/default/profiles/Sales.profile-meta.xml": profile,
      "other-app/main/default/profiles/Sales.profile-meta.xml": profile,
    });
    expect(notes(importSfdx(dir, { orgName: "acme" }), "error")).toEqual([
      "other-app/main/default/profiles/Sales.profile-meta.xml:1 profile `Sales` is also defined in `force-app/main/default/profiles/Sales.profile-meta.xml`",
    ]);
  });

  it("drops assignments it cannot resolve, saying so", () => {
    const dir = policyDir({
      [`${APPS}/A.connectedApp-meta.xml`]: app(
        "    <oauthConfig><isAdminApproved>true</isAdminApproved></oauthConfig>\n    <oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation></oauthPolicy>\n    <permissionSetName>Nobody Has This Label</permissionSetName>",
      ),
    });
    const result = importSfdx(dir, { orgName: "acme" });
    expect(notes(result, "warning")).toContain(
      `${APPS}/A.connectedApp-meta.xml:5 connected app \`A\`: permission set \`Nobody Has This Label\` is not in the source tree; the assignment is not imported (retrieve the permission set and import again)`,
    );
    expect(documents(result).get("ConnectedApp/A")).not.toHaveProperty("permissionSets");
  });
});

describe("import sfdx: names and large files", () => {
  it("encodes and decodes metadata file names as Salesforce does", () => {
    expect(encodeFileName("Custom: Sales Profile")).toBe("Custom%3A Sales Profile");
    expect(encodeFileName("Force.com - Free User")).toBe("Force%2Ecom - Free User");
    expect(encodeFileName("Partner/Reseller 100%")).toBe("Partner%2FReseller 100%25");
    for (const name of ["Custom: Sales Profile", "Force.com - Free User", "Partner/Reseller 100%", "a<b>|c?*"])
      expect(decodeFileName(encodeFileName(name))).toBe(name);
    expect(decodeFileName("bad%zz")).toBeUndefined();
  });

  it("streams a large profile, keeping only the elements it maps", () => {
    const dir = tempDir();
    const path = join(dir, "Big.profile-meta.xml");
    const filler = Array.from(
      { length: 1000 },
      (_, i) =>
        `    <fieldPermissions>\n        <editable>true</editable>\n        <field>Account.Field_${i}__c</field>\n        <readable>true</readable>\n    </fieldPermissions>\n`,
    ).join("");
    const parts = [`<?xml version="1.0" encoding="UTF-8"?>\n<Profile ${NS}>\n`];
    for (let i = 0; i < 200; i++) parts.push(filler);
    parts.push(
      "    <loginIpRanges>\n        <endAddress>10.0.0.9</endAddress>\n        <startAddress>10.0.0.1</startAddress>\n    </loginIpRanges>\n",
    );
    parts.push("    <userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions>\n</Profile>\n");
    writeFileSync(path, parts.join(""));
    const read = readMetadataXml(path, (n) => n === "loginIpRanges" || n === "userPermissions");
    if (isXmlProblem(read)) throw new Error(read.message);
    expect(read.skipped.get("fieldPermissions")).toBe(200_000);
    expect(read.root.children.map((c) => c.name)).toEqual(["loginIpRanges", "userPermissions"]);
    expect(read.root.children[0]?.line).toBe(1_000_003);
  });
});
