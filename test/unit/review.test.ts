import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/pipeline.js";
import { FINDING_CHECKS, FINDING_SPECS, openAtLeast, review, score, type Review } from "../../compiler/review/index.js";
import { packageRoot } from "../../core/package-root.js";
import { renderReviewDoc } from "../../scripts/review-doc.js";
import { renderReviewText } from "../../cli/format/review-text.js";
import { policyDir } from "../helpers/policy.js";

/** A policy set that every check examines and none reports. */
const COMPLIANT: Record<string, string> = {
  "org.yaml": [
    "kind: Org",
    "name: acme",
    "edition: Enterprise",
    "apiAccessControl:",
    "  allowlistedAppsOnly: true",
    "  customersAndPartnersInstalledAppsOnly: true",
    "session:",
    "  enforceLoginIpRangesEveryRequest: true",
    "  lockSessionsToIp: true",
    "",
  ].join("\n"),
  "profiles.yaml": [
    "kind: Profile",
    "name: Integration",
    "userLicense: Salesforce Integration",
    "permissions: [ApiEnabled, ApiUserOnly]",
    "loginIpRanges: [198.51.100.0/24]",
    "---",
    "kind: Profile",
    "name: Sales",
    "permissions: [ApiEnabled]",
    "loginIpRanges: [203.0.113.0/24]",
    "---",
    "kind: Profile",
    "name: Partner",
    "permissions: [ApiEnabled]",
    "loginIpRanges: [192.0.2.0/24]",
    "---",
    "kind: PermissionSet",
    "name: Api_Only",
    "permissions: [ApiUserOnly]",
    "",
  ].join("\n"),
  "users.yaml": [
    "kind: User",
    "name: etl",
    "username: etl@acme.example",
    "profile: Integration",
    "integration: true",
    "---",
    "kind: User",
    "name: bob",
    "userType: PowerPartner",
    "profile: Partner",
    "",
  ].join("\n"),
  "apps.yaml": [
    "kind: ConnectedApp",
    "name: erp",
    "clientIds: [k1]",
    "permittedUsers: adminApproved",
    "profiles: [Integration]",
    "ipRelaxation: ENFORCE",
    "runAsUser: etl",
    "",
  ].join("\n"),
  "sites.yaml": "kind: Site\nname: partners\n",
};

const TODAY = "2026-06-15";

async function reviewOf(files: Record<string, string>, today = TODAY): Promise<Review> {
  const dir = policyDir(files);
  const c = await compile(dir, { until: "validate" });
  const errors = c.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => `${d.file}:${d.line} ${d.message}`)).toEqual([]);
  return review(c.policy!, { today });
}

/** Each finding as `ID file:line:column message`, with the policy directory cut off. */
function summarize(r: Review): string[] {
  return r.findings.map((f) => {
    const at = f.locations[0]!;
    return `${f.id} ${at.file.replace(/^.*\//, "")}:${at.line}:${at.column} ${f.message}`;
  });
}

describe("review: the compliant policy set", () => {
  it.each(FINDING_CHECKS.map((c) => [c.spec.id]))("%s examines it and stays silent", async (id) => {
    const r = await reviewOf(COMPLIANT);
    expect(r.checks.find((c) => c.id === id)?.examined).toBeGreaterThan(0);
    expect(r.findings.filter((f) => f.id === id)).toEqual([]);
  });

  it("reports nothing, scores 100 and every check applies to it", async () => {
    const r = await reviewOf(COMPLIANT);
    expect(summarize(r)).toEqual([]);
    expect(r.score).toEqual({ value: 100, grade: "Excellent", possible: 43, earned: 43 });
    expect(r.checks.filter((c) => c.examined === 0).map((c) => c.id)).toEqual([]);
  });
});

/** `[id, files that differ from COMPLIANT, every finding expected (summarized)]`. */
const TRIGGERS: Array<[string, Record<string, string>, string[]]> = [
  [
    "GR001",
    { "users.yaml": "kind: User\nname: sync\nprofile: Sales\nintegration: true\n" },
    ["GR001 users.yaml:4:1 integration user `sync` does not hold `ApiUserOnly`, so it can log in to the Salesforce UI"],
  ],
  [
    "GR002",
    {
      "users.yaml": "kind: User\nname: etl\nprofile: Sales\n",
    },
    [
      "GR002 apps.yaml:7:12 connected app `erp` runs the client-credentials flow as `etl`, who does not hold `ApiUserOnly`",
    ],
  ],
  [
    "GR003",
    {
      "more.yaml": [
        "kind: Profile",
        "name: Open",
        "permissions: [ApiEnabled]",
        "---",
        "kind: Profile",
        "name: Everywhere",
        "permissions: [ApiEnabled]",
        "loginIpRanges: [0.0.0.0/1, {start: 128.0.0.0, end: 255.255.255.255}]",
        "",
      ].join("\n"),
    },
    [
      "GR003 more.yaml:2:1 profile `Open` lets its API users log in from any address: it has no login IP ranges",
      "GR003 more.yaml:8:17 the login IP ranges of profile `Everywhere` admit every IPv4 address",
    ],
  ],
  [
    "GR004",
    { "apps.yaml": COMPLIANT["apps.yaml"]!.replace("ipRelaxation: ENFORCE", "ipRelaxation: BYPASS") },
    ["GR004 apps.yaml:6:15 connected app `erp` relaxes login IP ranges with `BYPASS` for every request"],
  ],
  [
    "GR005",
    { "apps.yaml": COMPLIANT["apps.yaml"]!.replace("ipRelaxation: ENFORCE", "ipRelaxation: ENFORCE_RELAXREFRESH") },
    [
      "GR005 apps.yaml:6:15 connected app `erp` skips login IP ranges on refresh-token exchanges (`ENFORCE_RELAXREFRESH`)",
    ],
  ],
  [
    "GR006",
    { "org.yaml": COMPLIANT["org.yaml"]!.replace("allowlistedAppsOnly: true", "allowlistedAppsOnly: false") },
    ["GR006 org.yaml:5:3 org `acme` does not limit API access to allowlisted connected apps"],
  ],
  [
    "GR007",
    {
      "org.yaml": COMPLIANT["org.yaml"]!.replace(
        "customersAndPartnersInstalledAppsOnly: true",
        "customersAndPartnersInstalledAppsOnly: false",
      ),
    },
    ["GR007 org.yaml:6:3 org `acme` lets customers and partners call APIs through any connected app"],
  ],
  [
    "GR008",
    { "admins.yaml": "kind: PermissionSet\nname: Bypass\npermissions: [ApiEnabled, UseAnyApiClient]\n" },
    [
      "GR008 admins.yaml:3:27 permission set `Bypass` grants `UseAnyApiClient`, which bypasses API access control and app approval",
    ],
  ],
  [
    "GR009",
    { "more-apps.yaml": "kind: ConnectedApp\nname: tool\nclientIds: [k2]\n" },
    [
      "GR009 more-apps.yaml:2:1 connected app `tool` lets users self-authorize, but API access control admits only admin-approved apps",
    ],
  ],
  [
    "GR010",
    {
      "org.yaml": COMPLIANT["org.yaml"]!.replace(
        "enforceLoginIpRangesEveryRequest: true",
        "enforceLoginIpRangesEveryRequest: false",
      ),
    },
    ["GR010 org.yaml:8:3 org `acme` checks login IP ranges only at login, not on every request"],
  ],
  [
    "GR011",
    { "org.yaml": COMPLIANT["org.yaml"]!.replace("  lockSessionsToIp: true\n", "") },
    ["GR011 org.yaml:7:1 org `acme` does not lock sessions to the address they started from"],
  ],
];

describe("review: each finding is reported on the declaration that triggers it", () => {
  it("covers every configuration check", () => {
    expect(TRIGGERS.map(([id]) => id)).toEqual(FINDING_CHECKS.map((c) => c.spec.id));
  });

  it.each(TRIGGERS)("%s", async (_id, changes, expected) => {
    const r = await reviewOf({ ...COMPLIANT, ...changes });
    expect(summarize(r)).toEqual(expected);
  });
});

describe("review: findings carry every YAML position involved", () => {
  it("an integration user without ApiUserOnly points at the user, its profile and its permission sets", async () => {
    const r = await reviewOf({
      ...COMPLIANT,
      "users.yaml": "kind: User\nname: sync\nprofile: Sales\npermissionSets: [Extra]\nintegration: true\n",
      "extra.yaml": "kind: PermissionSet\nname: Extra\n",
    });
    const [finding] = r.findings;
    expect(finding?.locations.map((l) => `${l.file.replace(/^.*\//, "")}:${l.line}:${l.column} ${l.message}`)).toEqual([
      "users.yaml:5:1 declared an integration user",
      "profiles.yaml:9:1 profile `Sales` does not grant `ApiUserOnly`",
      "extra.yaml:2:1 permission set `Extra` does not grant `ApiUserOnly` either",
    ]);
    expect(finding?.affected).toEqual(["user `sync`"]);
  });

  it("a profile with the integration licence counts: both the profile and its users are reported", async () => {
    const r = await reviewOf({
      ...COMPLIANT,
      "profiles.yaml": COMPLIANT["profiles.yaml"]!.replace(
        "permissions: [ApiEnabled, ApiUserOnly]",
        "permissions: [ApiEnabled]",
      ),
      "apps.yaml": COMPLIANT["apps.yaml"]!.replace("runAsUser: etl\n", ""),
      "users.yaml": "kind: User\nname: etl\nusername: etl@acme.example\nprofile: Integration\n",
    });
    expect(summarize(r)).toEqual([
      "GR001 profiles.yaml:4:1 profile `Integration` has the `Salesforce Integration` licence but does not grant `ApiUserOnly`",
      "GR001 users.yaml:4:1 integration user `etl` does not hold `ApiUserOnly`, so it can log in to the Salesforce UI",
    ]);
    expect(r.findings[0]?.affected).toEqual(["user `etl` (`etl@acme.example`)"]);
    expect(r.findings[1]?.locations[0]?.message).toBe("on a profile with the integration licence");
  });

  it("a relaxing app lists the profiles whose ranges it relaxes", async () => {
    const r = await reviewOf({
      ...COMPLIANT,
      "apps.yaml": COMPLIANT["apps.yaml"]!.replace("ipRelaxation: ENFORCE", "ipRelaxation: BYPASS_2FACTOR"),
    });
    expect(r.findings[0]).toMatchObject({
      id: "GR004",
      severity: "high",
      message:
        "connected app `erp` relaxes login IP ranges with `BYPASS_2FACTOR` for the web-server flow after identity verification",
      affected: ["profile `Integration`"],
    });
  });

  it("a profile with an Experience Cloud licence is enough for the customers-and-partners check to apply", async () => {
    const r = await reviewOf({
      "org.yaml": "kind: Org\nname: tiny\napiAccessControl: {allowlistedAppsOnly: true}\n",
      "p.yaml": "kind: Profile\nname: Partners\nuserLicense: Partner Community Login\n",
    });
    const finding = r.findings.find((f) => f.id === "GR007");
    expect(finding?.locations.map((l) => `${l.line}:${l.column} ${l.message}`)).toEqual([
      "3:1 `customersAndPartnersInstalledAppsOnly` is off",
      "3:14 profile `Partners` has an Experience Cloud licence",
    ]);
    expect(finding?.affected).toEqual(["users on profile `Partners`"]);
  });

  it("checks that do not apply are not examined and do not count", async () => {
    const r = await reviewOf({ "org.yaml": "kind: Org\nname: tiny\nedition: Essentials\n" });
    expect(r.checks.filter((c) => c.examined > 0).map((c) => c.id)).toEqual(["GR010", "GR011"]);
    expect(summarize(r).map((s) => s.slice(0, 5))).toEqual(["GR010", "GR011"]);
    expect(r.score).toEqual({ value: 0, grade: "Very Poor", possible: 2, earned: 0 });
  });
});

const ACK = (extra: string): string =>
  [
    "kind: Acknowledgement",
    "name: erp-bypass",
    "finding: GR004",
    "subject: {kind: ConnectedApp, name: erp}",
    "reason: Field technicians work from customer sites (SEC-1432).",
    extra,
  ].join("\n");

describe("review: acknowledgements", () => {
  const bypass = { ...COMPLIANT, "apps.yaml": COMPLIANT["apps.yaml"]!.replace("ENFORCE", "BYPASS") };

  it("an acknowledged finding is still reported, marked with its reason, and no longer fails --fail-on", async () => {
    const r = await reviewOf({ ...bypass, "acks.yaml": ACK("expires: 2026-06-15\n") });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]?.acknowledgement).toMatchObject({
      name: "erp-bypass",
      reason: "Field technicians work from customer sites (SEC-1432).",
      expires: "2026-06-15",
      location: { line: 5, column: 9, message: "acknowledged by `erp-bypass`" },
    });
    expect(openAtLeast(r.findings, "high")).toEqual([]);
    expect(r.score.value).toBeLessThan(100);
  });

  it("an expired acknowledgement acknowledges nothing and is itself reported", async () => {
    const r = await reviewOf({ ...bypass, "acks.yaml": ACK("expires: 2026-06-14\n") });
    expect(summarize(r)).toEqual([
      "GR004 apps.yaml:6:15 connected app `erp` relaxes login IP ranges with `BYPASS` for every request",
      "GR012 acks.yaml:6:10 acknowledgement `erp-bypass` of `GR004` expired on 2026-06-14, so it no longer acknowledges anything",
    ]);
    expect(r.findings[0]?.acknowledgement).toBeUndefined();
    expect(openAtLeast(r.findings, "high").map((f) => f.id)).toEqual(["GR004"]);
  });

  it("an acknowledgement that matches no finding is reported", async () => {
    const r = await reviewOf({ ...COMPLIANT, "acks.yaml": ACK("") });
    expect(summarize(r)).toEqual([
      "GR013 acks.yaml:3:10 acknowledgement `erp-bypass` matches no finding: `GR004` is not reported for ConnectedApp `erp`",
    ]);
  });

  it("an org-wide finding is acknowledged without a subject", async () => {
    const r = await reviewOf({
      ...COMPLIANT,
      "org.yaml": COMPLIANT["org.yaml"]!.replace("  lockSessionsToIp: true\n", ""),
      "acks.yaml": "kind: Acknowledgement\nname: mobile\nfinding: GR011\nreason: Mobile users roam.\n",
    });
    expect(r.findings.map((f) => [f.id, f.acknowledgement?.name])).toEqual([["GR011", "mobile"]]);
  });

  it("check reports an unknown subject and an impossible date", async () => {
    const dir = policyDir({
      ...COMPLIANT,
      "acks.yaml": [
        "kind: Acknowledgement",
        "name: typo",
        "finding: GR004",
        "subject: {kind: Profile, name: Integraton}",
        "reason: r",
        "expires: 2026-02-30",
        "",
      ].join("\n"),
    });
    const c = await compile(dir, { until: "validate" });
    expect(c.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.message} | ${d.hint}`)).toEqual([
      "GH202 4:32 unknown profile `Integraton` | did you mean `Integration`?",
      "GH105 6:10 `2026-02-30` is not a calendar date | write the last day the acknowledgement holds as `YYYY-MM-DD`",
    ]);
  });
});

describe("review: score", () => {
  it("weighs failing checks by severity and ignores informational ones", () => {
    expect(
      score([
        { id: "A", severity: "critical", examined: 3, failed: 1 },
        { id: "B", severity: "high", examined: 1, failed: 0 },
        { id: "C", severity: "medium", examined: 0, failed: 0 },
        { id: "D", severity: "info", examined: 1, failed: 1 },
      ]),
    ).toEqual({ value: 33, grade: "Very Poor", possible: 12, earned: 4 });
    expect(score([])).toEqual({ value: 100, grade: "Excellent", possible: 0, earned: 0 });
  });

  it("the schema admits exactly the configuration checks' ids in an acknowledgement, with their titles", () => {
    const schema = JSON.parse(readFileSync(join(packageRoot(), "schemas", "acknowledgement.schema.json"), "utf8")) as {
      properties: { finding: { enum: string[]; "x-enumDescriptions": Record<string, string> } };
    };
    expect(schema.properties.finding.enum).toEqual(FINDING_CHECKS.map((c) => c.spec.id));
    expect(schema.properties.finding["x-enumDescriptions"]).toEqual(
      Object.fromEntries(FINDING_CHECKS.map((c) => [c.spec.id, `${c.spec.title}.`])),
    );
  });

  it("finding ids are unique, ordered and documented", () => {
    const ids = FINDING_SPECS.map((s) => s.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    for (const spec of FINDING_SPECS) {
      expect(spec.id).toMatch(/^GR[0-9]{3}$/);
      expect(spec.threatScenarios.length).toBeGreaterThan(0);
      expect(spec.cvss.min).toBeLessThanOrEqual(spec.cvss.max);
    }
  });
});

describe("review: documentation", () => {
  it("docs/review.md is generated from the registry (run `npm run generate` when this fails)", async () => {
    const root = packageRoot();
    const doc = readFileSync(join(root, "docs", "review.md"), "utf8");
    expect(doc).toBe(await renderReviewDoc(root));
    for (const spec of FINDING_SPECS) expect(doc).toContain(`### ${spec.id} ${spec.slug}\n`);
  });
});

describe("review: text output", () => {
  it("colours severities on a terminal and not otherwise", async () => {
    const r = await reviewOf({
      ...COMPLIANT,
      "org.yaml": COMPLIANT["org.yaml"]!.replace("  lockSessionsToIp: true\n", ""),
    });
    expect(renderReviewText(r, "policies", true)).toContain("\u001b[2mINFO (1)\u001b[22m");
    expect(renderReviewText(r, "policies", false)).not.toContain("\u001b[");
  });
});
