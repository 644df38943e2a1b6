import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/pipeline.js";
import { review, type Review } from "../../compiler/review/index.js";
import { policyDir } from "../helpers/policy.js";

const ORG = "kind: Org\nname: acme\napiAccessControl: {allowlistedAppsOnly: true}\n";

async function reviewOf(files: Record<string, string>): Promise<{ r: Review; errors: string[] }> {
  const c = await compile(policyDir({ "org.yaml": ORG, ...files }), { until: "validate" });
  const errors = c.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
  return { r: c.policy ? review(c.policy, { today: "2026-06-15" }) : ({} as Review), errors };
}

const PROFILES = [
  "kind: Profile\nname: Chatter Free User\nuserLicense: Chatter Free\nstandard: true\npermissions: [ApiEnabled]",
  "kind: Profile\nname: Analytics Cloud Integration User\nuserLicense: Analytics Cloud Integration User\npermissions: [ApiEnabled]",
  "kind: Profile\nname: Standard\nuserLicense: Salesforce\nstandard: true\npermissions: [ApiEnabled]",
  "kind: Profile\nname: ReadOnly\nuserLicense: Salesforce\nstandard: true\npermissions: [ApiEnabled]",
  "kind: Profile\nname: Partner EU\nuserLicense: Partner Community\npermissions: [ApiEnabled]",
  "kind: Profile\nname: Partner US\nuserLicense: Partner Community\npermissions: [ApiEnabled]",
  "kind: Profile\nname: Sales\nuserLicense: Salesforce\npermissions: [ApiEnabled]",
].join("\n---\n");

function gr003(r: Review): string[] {
  return r.findings.filter((f) => f.id === "GR003").map((f) => `${f.message}${f.acknowledgement ? " [ack]" : ""}`);
}

describe("review findings admins can act on", () => {
  it("does not report profiles whose licence cannot use the API, and reports standard profiles once, together", async () => {
    const { r, errors } = await reviewOf({ "profiles.yaml": PROFILES });
    expect(errors).toEqual([]);
    expect(gr003(r)).toEqual([
      "2 Salesforce-managed standard profiles (`Standard`, `ReadOnly`) let API users log in from any address: no login IP ranges",
      "profile `Partner EU` lets its API users log in from any address: it has no login IP ranges",
      "profile `Partner US` lets its API users log in from any address: it has no login IP ranges",
      "profile `Sales` lets its API users log in from any address: it has no login IP ranges",
    ]);
  });

  it("acknowledges by pattern: a name glob or a licence, with a reason and an expiry", async () => {
    const acks = [
      "kind: Acknowledgement\nname: partners\nfinding: GR003\nmatch: {kind: Profile, name: 'Partner *'}\nreason: Partners log in through their SSO (SEC-7).\nexpires: 2026-12-31",
      "kind: Acknowledgement\nname: salesforce-licence\nfinding: GR003\nmatch: {userLicense: Salesforce}\nreason: Accepted until the VPN project lands (SEC-9).\nexpires: 2026-06-14",
      "kind: Acknowledgement\nname: nothing\nfinding: GR003\nmatch: {name: 'Ops ?'}\nreason: Stale.",
    ].join("\n---\n");
    const { r, errors } = await reviewOf({ "profiles.yaml": PROFILES, "acks.yaml": acks });
    expect(errors).toEqual([]);
    expect(gr003(r)).toEqual([
      "2 Salesforce-managed standard profiles (`Standard`, `ReadOnly`) let API users log in from any address: no login IP ranges",
      "profile `Partner EU` lets its API users log in from any address: it has no login IP ranges [ack]",
      "profile `Partner US` lets its API users log in from any address: it has no login IP ranges [ack]",
      "profile `Sales` lets its API users log in from any address: it has no login IP ranges",
    ]);
    expect(r.findings.filter((f) => f.id === "GR012" || f.id === "GR013").map((f) => f.message)).toEqual([
      "acknowledgement `salesforce-licence` of `GR003` expired on 2026-06-14, so it no longer acknowledges anything",
      "acknowledgement `nothing` matches no finding: `GR003` is not reported for any declaration named `Ops ?`",
    ]);
  });

  it("refuses a match that names no pattern", async () => {
    const { errors } = await reviewOf({
      "acks.yaml": "kind: Acknowledgement\nname: all\nfinding: GR003\nmatch: {kind: Profile}\nreason: no.\n",
    });
    expect(errors).toEqual(["GH222 acknowledgement `all` matches every declaration"]);
  });
});
