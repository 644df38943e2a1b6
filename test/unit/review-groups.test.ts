import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/pipeline.js";
import { review, type Review } from "../../compiler/review/index.js";
import { policyDir } from "../helpers/policy.js";

const ORG = "kind: Org\nname: acme\napiAccessControl: {allowlistedAppsOnly: true}\n";
const TODAY = "2026-06-15";

async function reviewOf(files: Record<string, string>): Promise<Review> {
  const c = await compile(policyDir({ "org.yaml": ORG, ...files }), { until: "validate" });
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return review(c.policy!, { today: TODAY });
}

/** The findings of one id as `file:line:column message`, and every location of each. */
function of(r: Review, id: string): string[] {
  return r.findings
    .filter((f) => f.id === id)
    .map((f) => {
      const where = f.locations.map((l) => `${l.file.replace(/^.*\//, "")}:${l.line}:${l.column}`).join(" ");
      return `${where} ${f.message}${f.acknowledgement ? ` [acknowledged by ${f.acknowledgement.name}]` : ""}`;
    });
}

const SETS = [
  "kind: PermissionSet\nname: Bypass\npermissions: [ApiEnabled, UseAnyApiClient]",
  "kind: PermissionSet\nname: Api\npermissions: [ApiEnabled]",
].join("\n---\n");

describe("review: permission set groups are reviewed like permission sets", () => {
  it("reports a group that grants Use Any API Client through a member, at the member and its permission", async () => {
    const r = await reviewOf({
      "sets.yaml": SETS,
      "groups.yaml": "kind: PermissionSetGroup\nname: Admins\npermissionSets: [Api, Bypass]\n",
      "users.yaml":
        "kind: Profile\nname: P\nloginIpRanges: [198.51.100.0/24]\n---\nkind: User\nname: ann\nprofile: P\npermissionSetGroups: [Admins]\n",
    });
    expect(of(r, "GR008")).toEqual([
      "groups.yaml:3:23 sets.yaml:3:27 permission set group `Admins` grants `UseAnyApiClient` through its members, which bypasses API access control and app approval",
      "sets.yaml:3:27 permission set `Bypass` grants `UseAnyApiClient`, which bypasses API access control and app approval",
    ]);
    expect(r.findings.find((f) => f.subject.kind === "PermissionSetGroup")?.affected).toEqual(["user `ann`"]);
  });

  it("does not report a group that mutes Use Any API Client", async () => {
    const r = await reviewOf({
      "sets.yaml": SETS,
      "groups.yaml":
        "kind: PermissionSetGroup\nname: Admins\npermissionSets: [Bypass]\nmutingPermissions: [UseAnyApiClient]\n",
    });
    expect(of(r, "GR008").filter((f) => f.includes("group"))).toEqual([]);
  });

  it("counts API Enabled from a group when deciding that a profile's users can call APIs", async () => {
    const files = (muted: string): Record<string, string> => ({
      "sets.yaml": SETS,
      "groups.yaml": `kind: PermissionSetGroup\nname: Api_Group\npermissionSets: [Api]\nmutingPermissions: [${muted}]\n`,
      "users.yaml":
        "kind: Profile\nname: Minimal\n---\nkind: User\nname: bob\nprofile: Minimal\npermissionSetGroups: [Api_Group]\n",
    });
    expect(of(await reviewOf(files("ApiUserOnly")), "GR003")).toEqual([
      "users.yaml:2:1 profile `Minimal` lets its API users log in from any address: it has no login IP ranges",
    ]);
    expect(of(await reviewOf(files("ApiEnabled")), "GR003")).toEqual([]);
  });

  it("counts API Only User from a group for an integration user", async () => {
    const files = (muted: string): Record<string, string> => ({
      "sets.yaml": "kind: PermissionSet\nname: Only\npermissions: [ApiUserOnly]\n",
      "groups.yaml": `kind: PermissionSetGroup\nname: Integration\npermissionSets: [Only]\nmutingPermissions: [${muted}]\n`,
      "users.yaml":
        "kind: Profile\nname: P\n---\nkind: User\nname: etl\nprofile: P\nintegration: true\npermissionSetGroups: [Integration]\n",
    });
    expect(of(await reviewOf(files("UseAnyApiClient")), "GR001")).toEqual([]);
    expect(of(await reviewOf(files("ApiUserOnly")), "GR001")).toEqual([
      "users.yaml:7:1 users.yaml:2:1 groups.yaml:3:1 integration user `etl` does not hold `ApiUserOnly`, so it can log in to the Salesforce UI",
    ]);
  });

  it("lets an acknowledgement name a group as its subject", async () => {
    const r = await reviewOf({
      "sets.yaml": SETS,
      "groups.yaml": "kind: PermissionSetGroup\nname: Admins\npermissionSets: [Bypass]\n",
      "acks.yaml":
        "kind: Acknowledgement\nname: admins-ok\nfinding: GR008\nsubject: {kind: PermissionSetGroup, name: Admins}\nreason: Two named admins (SEC-1).\n",
    });
    expect(of(r, "GR008").filter((f) => f.includes("group"))).toEqual([
      "groups.yaml:3:18 sets.yaml:3:27 permission set group `Admins` grants `UseAnyApiClient` through its members, which bypasses API access control and app approval [acknowledged by admins-ok]",
    ]);
  });
});
