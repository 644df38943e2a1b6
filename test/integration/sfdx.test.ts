import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/pipeline.js";
import { exportSfdx } from "../../compiler/sfdx/export.js";
import { importSfdx } from "../../compiler/sfdx/import.js";
import { isXmlProblem, METADATA_NAMESPACE, readMetadataXml, type XmlElement } from "../../compiler/sfdx/xml-reader.js";
import { packageRoot } from "../../core/package-root.js";
import { Authorizer, type Decision } from "../../wasm/index.js";
import { gatehouse } from "../helpers/cli.js";
import { buildDir, policyDir, tempDir } from "../helpers/policy.js";

const fixtures = join(packageRoot(), "test", "fixtures", "sfdx");

function writeTree(files: ReadonlyMap<string, string>): string {
  const dir = tempDir("gatehouse-sfdx-");
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function importTo(dir: string): string {
  const result = importSfdx(dir, { orgName: "acme" });
  expect(result.notes.filter((n) => n.level === "error")).toEqual([]);
  return writeTree(result.files!);
}

async function exportOf(policy: string): Promise<ReadonlyMap<string, string>> {
  const c = await compile(policy, { until: "validate" });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return exportSfdx(c.policy!).files;
}

/** The YAML documents of a policy directory written by the importer, without comments. */
function values(dir: string): unknown[] {
  return ["org.yaml", "profiles.yaml", "permission-sets.yaml", "connected-apps.yaml"].flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as unknown),
  );
}

/**
 * The element shapes of the domain reference (§9.3, and the ECA fields of §1), as
 * `root → child → allowed grandchildren` (an empty list: text only).
 */
const SHAPES: Record<string, Record<string, readonly string[]>> = {
  ConnectedApp: {
    ipRanges: ["description", "end", "start"],
    label: [],
    oauthConfig: ["consumerKey", "isAdminApproved", "isClientCredentialEnabled", "oauthClientCredentialUser"],
    oauthPolicy: ["ipRelaxation"],
    permissionSetName: [],
    profileName: [],
    sessionPolicy: ["policyAction", "sessionLevel"],
  },
  Profile: {
    custom: [],
    loginIpRanges: ["description", "endAddress", "startAddress"],
    userLicense: [],
    userPermissions: ["enabled", "name"],
  },
  PermissionSet: { label: [], userPermissions: ["enabled", "name"] },
  SecuritySettings: {
    networkAccess: ["ipRanges"],
    sessionSettings: ["enforceIpRangesEveryRequest", "lockSessionsToIp"],
  },
  ConnectedAppSettings: { enableAdminApprovedAppsOnly: [], enableAdminApprovedAppsOnlyForExternalUser: [] },
  ExtlClntAppOauthConfigurablePolicies: {
    clientCredentialsFlowUser: [],
    commaSeparatedPermissionSet: [],
    commaSeparatedProfile: [],
    externalClientApplication: [],
    ipRelaxationPolicyType: [],
    isClientCredentialsFlowEnabled: [],
    label: [],
    permittedUsersPolicyType: [],
    policyAction: [],
    requiredSessionLevel: [],
  },
  ExtlClntAppOauthSettings: {
    externalClientApplication: [],
    label: [],
    trustedIpRanges: ["description", "endIpAddress", "startIpAddress"],
  },
  ExtlClntAppGlobalOauthSettings: { consumerKey: [], externalClientApplication: [], label: [] },
  ExternalClientApplication: { label: [] },
  ExtlClntAppConfigurablePolicies: { externalClientApplication: [], isEnabled: [], label: [] },
};

const ENUMS: Record<string, readonly string[]> = {
  ipRelaxation: ["ENFORCE", "ENFORCE_RELAXREFRESH", "BYPASS_2FACTOR", "BYPASS"],
  ipRelaxationPolicyType: ["Enforce", "Enforce_RelaxRefresh", "Bypass_2factor", "Bypass"],
  permittedUsersPolicyType: ["AdminApprovedPreAuthorized", "AllSelfAuthorized"],
  policyAction: ["Block", "RaiseSessionLevel"],
  sessionLevel: ["HIGH_ASSURANCE"],
  requiredSessionLevel: ["HIGH_ASSURANCE"],
  enabled: ["true", "false"],
};

/** Every way `element` departs from its shape: unknown children, children out of alphabetical order, enum values. */
function shapeProblems(file: string, root: XmlElement): string[] {
  const shape = SHAPES[root.name];
  if (!shape) return [`${file}: unexpected root \`${root.name}\``];
  const problems: string[] = [];
  const names = root.children.map((c) => c.name);
  if (names.join() !== [...names].sort().join()) problems.push(`${file}: children of ${root.name} are not sorted`);
  const visit = (parent: string, el: XmlElement, allowed: readonly string[] | undefined): void => {
    if (allowed === undefined) {
      problems.push(`${file}: unknown element \`${parent}/${el.name}\``);
      return;
    }
    if (allowed.length === 0 && el.children.length > 0) problems.push(`${file}: \`${el.name}\` should hold text only`);
    const kids = el.children.map((c) => c.name);
    if (kids.join() !== [...kids].sort().join()) problems.push(`${file}: children of ${el.name} are not sorted`);
    for (const c of el.children) {
      const inner = el.name === "networkAccess" ? ["description", "end", "start"] : [];
      if (!allowed.includes(c.name)) problems.push(`${file}: unknown element \`${el.name}/${c.name}\``);
      else visit(el.name, c, inner);
    }
    const values = ENUMS[el.name];
    if (values && !values.includes(el.text.trim())) problems.push(`${file}: \`${el.name}\` is \`${el.text.trim()}\``);
  };
  for (const c of root.children) visit(root.name, c, shape[c.name]);
  return problems;
}

describe("SFDX round trip", () => {
  it("import → check → build succeed on the fixture tree (warnings only)", async () => {
    const policy = importTo(fixtures);
    const c = await buildDir(policy);
    expect(c.diagnostics.map((d) => `${d.severity} ${d.code}`).sort()).toEqual([
      "warning GH300",
      "warning GH307",
      "warning GH307",
    ]);
  });

  it("import → export → import is a fixed point, and export → import → export writes the same bytes", async () => {
    const first = importTo(fixtures);
    const exported = await exportOf(first);
    const second = importTo(writeTree(exported));
    // The one value export may not write: the metadata name of Approve Uninstalled Connected Apps
    // is not confirmed, so a round trip loses that permission (and says so in the export notes).
    const unconfirmed = JSON.parse(
      JSON.stringify(values(first)).replaceAll(',"ApproveUninstalledConnectedApps"', ""),
    ) as unknown;
    expect(values(second)).toEqual(unconfirmed);
    const again = await exportOf(second);
    expect([...again.keys()]).toEqual([...exported.keys()]);
    for (const [path, text] of exported) expect(again.get(path), path).toBe(text);
  });

  it("writes only the element shapes of the reference, sorted, in the metadata namespace", async () => {
    const exported = await exportOf(importTo(fixtures));
    const tree = writeTree(exported);
    const problems: string[] = [];
    for (const path of exported.keys()) {
      if (path === "sfdx-project.json") continue;
      expect(exported.get(path)!.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
      expect(exported.get(path)).toContain(`xmlns="${METADATA_NAMESPACE}"`);
      const read = readMetadataXml(join(tree, path), () => true);
      if (isXmlProblem(read)) problems.push(`${path}: ${read.message}`);
      else problems.push(...shapeProblems(path, read.root));
    }
    expect(problems).toEqual([]);
    expect(exported.get("force-app/main/default/connectedApps/Salesforce_Mobile_Sales.connectedApp-meta.xml")).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">',
        "    <label>Salesforce Mobile (Sales)</label>",
        "    <oauthConfig>",
        "        <consumerKey>3MVG9fixtureMobileSalesConsumerKey00004</consumerKey>",
        "        <isAdminApproved>true</isAdminApproved>",
        "        <isClientCredentialEnabled>false</isClientCredentialEnabled>",
        "    </oauthConfig>",
        "    <oauthPolicy>",
        "        <ipRelaxation>ENFORCE_RELAXREFRESH</ipRelaxation>",
        "    </oauthPolicy>",
        "    <profileName>System Administrator</profileName>",
        "    <profileName>Standard User</profileName>",
        "    <sessionPolicy>",
        "        <policyAction>RaiseSessionLevel</policyAction>",
        "        <sessionLevel>HIGH_ASSURANCE</sessionLevel>",
        "    </sessionPolicy>",
        "</ConnectedApp>",
        "",
      ].join("\n"),
    );
    expect(
      exported.get("force-app/main/default/connectedApps/Service_Now_Integration_Consumers.connectedApp-meta.xml"),
    ).toContain("    <permissionSetName>Integration User - Service Now</permissionSetName>\n");
  });

  it("exports networks and CIDRs as ranges and escapes every value", async () => {
    const policy = policyDir({
      "org.yaml": "kind: Org\nname: acme\ntrustedIpRanges: [{network: office}]\n",
      "net.yaml": "kind: Network\nname: office\nranges: [{cidr: 203.0.113.0/25, description: 'R&D <lab> \"east\"'}]\n",
      "p.yaml": "kind: Profile\nname: 'Partner/Reseller <Tier 1> & Co.'\nlabel: x\nloginIpRanges: ['2001:db8::/48']\n",
      "a.yaml":
        "kind: ConnectedApp\nname: app\nlabel: 'Tom & Jerry''s <app>'\nclientIds: [k]\npermittedUsers: adminApproved\nprofiles: ['Partner/Reseller <Tier 1> & Co.']\n",
    });
    const files = await exportOf(policy);
    const profilePath = "force-app/main/default/profiles/Partner%2FReseller %3CTier 1%3E & Co%2E.profile-meta.xml";
    expect(files.get(profilePath)).toContain(
      "        <endAddress>2001:db8:0:ffff:ffff:ffff:ffff:ffff</endAddress>\n        <startAddress>2001:db8::</startAddress>",
    );
    expect(files.get("force-app/main/default/settings/Security.settings-meta.xml")).toContain(
      "            <description>R&amp;D &lt;lab&gt; &quot;east&quot;</description>\n            <end>203.0.113.127</end>\n            <start>203.0.113.0</start>",
    );
    const app = files.get("force-app/main/default/connectedApps/app.connectedApp-meta.xml")!;
    expect(app).toContain("<label>Tom &amp; Jerry&apos;s &lt;app&gt;</label>");
    expect(app).toContain("<profileName>Partner/Reseller &lt;Tier 1&gt; &amp; Co.</profileName>");
    const back = importSfdx(writeTree(files), { orgName: "acme" });
    const docs = [...back.files!.values()].flatMap((t) =>
      parseAllDocuments(t).map((d) => d.toJS() as Record<string, unknown>),
    );
    expect(docs.find((d) => d.kind === "ConnectedApp")).toMatchObject({
      label: "Tom & Jerry's <app>",
      profiles: ["Partner/Reseller <Tier 1> & Co."],
    });
  });
});

/** A request through the imported policy; `app` is the consumer key. */
function request(
  user: { profile: string; permissionSets?: string[]; userType?: string },
  app: string,
  grant: string,
  sourceIp: string,
  extra: Record<string, unknown> = {},
): unknown {
  return {
    user: { userType: user.userType ?? "Standard", profile: user.profile, permissionSets: user.permissionSets ?? [] },
    app: { clientId: app },
    channel: "api",
    grant,
    sourceIp,
    login: true,
    ...extra,
  };
}

const KEY = {
  serviceNow: "3MVG9fixtureServiceNowConsumerKey000001",
  field: "3MVG9fixtureFieldServiceConsumerKey0002",
  partner: "3MVG9fixturePartnerPortalConsumerKey003",
  mobile: "3MVG9fixtureMobileSalesConsumerKey00004",
  legacy: "3MVG9fixtureLegacyReportingConsumerKey5",
  warehouse: "3MVG9fixtureDataWarehouseConsumerKey006",
};
const INTEGRATION = { profile: "Minimum Access - API Only Integrations" };
const SUPPORT = { profile: "Custom: Support Profile" };

/** `[what the metadata says, request, allow, reason codes, note codes]`. */
const CASES: Array<[string, unknown, boolean, string[], string[]]> = [
  [
    "the integration profile is assigned to the ServiceNow app and its hosts are in range",
    request(INTEGRATION, KEY.serviceNow, "jwt_bearer", "198.51.100.210"),
    true,
    [],
    [],
  ],
  [
    "JWT bearer always enforces the integration profile's ranges",
    request(INTEGRATION, KEY.serviceNow, "jwt_bearer", "203.0.113.9"),
    false,
    ["IP_OUTSIDE_LOGIN_RANGES"],
    [],
  ],
  [
    "the IPv6 login range of the integration profile admits its IPv6 hosts",
    request(INTEGRATION, KEY.serviceNow, "jwt_bearer", "2001:db8:100::7"),
    true,
    [],
    [],
  ],
  [
    "a permission set referenced by its label grants the assignment",
    request(
      { ...SUPPORT, permissionSets: ["Integration_User_Service_Now"] },
      KEY.serviceNow,
      "jwt_bearer",
      "198.18.0.1",
    ),
    true,
    [],
    [],
  ],
  [
    "without that permission set the profile is not assigned",
    request(SUPPORT, KEY.serviceNow, "jwt_bearer", "198.18.0.1"),
    false,
    ["AAC_APP_NOT_ALLOWLISTED", "APP_USER_NOT_APPROVED"],
    [],
  ],
  [
    "BYPASS relaxes the Field Technician ranges",
    request({ profile: "Field Technician" }, KEY.field, "web_server", "100.64.0.1"),
    true,
    [],
    ["IP_RESTRICTION_RELAXED"],
  ],
  [
    "a self-authorize app is not allowlisted under API access control",
    request({ profile: "Field Technician" }, KEY.legacy, "web_server", "198.51.100.5"),
    false,
    ["AAC_APP_NOT_ALLOWLISTED"],
    [],
  ],
  [
    "UseAnyApiClient (a permission set) bypasses API access control",
    request({ profile: "Standard", permissionSets: ["API_Client_Bypass"] }, KEY.legacy, "web_server", "203.0.113.7"),
    true,
    [],
    [],
  ],
  [
    "`System Administrator` in profileName is the Admin profile; ENFORCE_RELAXREFRESH relaxes a refresh",
    request({ profile: "Admin" }, KEY.mobile, "refresh_token", "100.64.0.1", {
      login: false,
      session: { highAssurance: true },
    }),
    true,
    [],
    ["IP_RESTRICTION_RELAXED"],
  ],
  [
    "ENFORCE_RELAXREFRESH does not relax a login",
    request({ profile: "Admin" }, KEY.mobile, "user_agent", "100.64.0.1", { session: { highAssurance: true } }),
    false,
    ["IP_OUTSIDE_LOGIN_RANGES"],
    [],
  ],
  [
    "the app's RaiseSessionLevel policy asks for a step-up on an interactive flow",
    request({ profile: "Standard" }, KEY.mobile, "user_agent", "203.0.113.7"),
    false,
    ["STEP_UP_REQUIRED"],
    [],
  ],
  [
    "BYPASS_2FACTOR relaxes the web-server flow from the app's trusted range",
    request({ profile: "Partner Community User", userType: "PowerPartner" }, KEY.partner, "web_server", "192.0.2.10"),
    true,
    [],
    ["IP_RESTRICTION_RELAXED"],
  ],
  [
    "BYPASS_2FACTOR does not relax other addresses",
    request({ profile: "Partner Community User", userType: "PowerPartner" }, KEY.partner, "web_server", "192.0.2.30"),
    false,
    ["IP_OUTSIDE_LOGIN_RANGES"],
    [],
  ],
  [
    "the External Client App's client-credentials flow runs as an API-only user",
    request(INTEGRATION, KEY.warehouse, "client_credentials", "198.51.100.220"),
    true,
    [],
    [],
  ],
  [
    "a run-as user without API Only is refused",
    request(SUPPORT, KEY.warehouse, "client_credentials", "198.51.100.220"),
    false,
    ["RUN_AS_NOT_API_ONLY"],
    [],
  ],
];

describe("conformance: the imported policy decides what the source metadata means", () => {
  it("decides every case with the real opa build and the WebAssembly runtime", async () => {
    const built = await buildDir(importTo(fixtures));
    const authorizer = await Authorizer.load(built.built.bundle);
    const got = CASES.map(([, req]) => authorizer.decide(req));
    const summary = (d: Decision): [boolean, string[], string[]] => [
      d.allow,
      d.reasons.map((r) => r.code),
      d.notes.map((n) => n.code).filter((c) => c === "IP_RESTRICTION_RELAXED"),
    ];
    expect(got.map((d, i) => [CASES[i]![0], ...summary(d)])).toEqual(
      CASES.map(([what, , allow, reasons, notes]) => [what, allow, reasons, notes]),
    );
  });
});

describe("gatehouse import sfdx / export sfdx", () => {
  it("print help", async () => {
    for (const args of [
      ["import", "sfdx", "--help"],
      ["export", "sfdx", "--help"],
    ]) {
      const run = await gatehouse(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("-o, --out <dir>");
    }
  });

  it("import writes YAML and a report; check and export accept it", async () => {
    const out = join(tempDir(), "policy");
    const run = await gatehouse(["import", "sfdx", fixtures, "-o", out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^warning \(\d+\):\n/);
    expect(run.stdout).toContain("\nmapped (");
    expect(run.stdout).toContain("\nignored (");
    expect(readFileSync(join(out, "org.yaml"), "utf8")).toContain("name: acme-sfdx\n");
    expect((await gatehouse(["check", out])).code).toBe(0);
    const exported = join(tempDir(), "sfdx");
    expect((await gatehouse(["export", "sfdx", out, "-o", exported])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(exported, "sfdx-project.json"), "utf8"))).toMatchObject({ name: "acme-sfdx" });
  });

  it("import writes nothing and exits 1 on a fabricated value", async () => {
    const dir = policyDir({
      "force-app/main/default/connectedApps/X.connectedApp-meta.xml": `<ConnectedApp xmlns="${METADATA_NAMESPACE}"><oauthPolicy><ipRelaxation>RELAX_IP_RESTRICTIONS</ipRelaxation></oauthPolicy></ConnectedApp>`,
    });
    const out = join(tempDir(), "never");
    const run = await gatehouse(["import", "sfdx", dir, "-o", out]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "error (1):\n  force-app/main/default/connectedApps/X.connectedApp-meta.xml:1: connected app `X`: `RELAX_IP_RESTRICTIONS` is not an IP relaxation value",
    );
    expect(run.stderr).toContain("nothing written");
  });
});
