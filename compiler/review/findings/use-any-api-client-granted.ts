import type { PermissionSetModel, ProfileModel } from "../../validate/model.js";
import type { FindingCheck, FindingDraft } from "../finding.js";
import { describeUser, locate, usersOfPermissionSet, usersOfProfile } from "../facts.js";

/** GR008: profiles and permission sets that grant `UseAnyApiClient`. */
export const useAnyApiClientGranted: FindingCheck = {
  spec: {
    id: "GR008",
    slug: "use-any-api-client-granted",
    title: "Use Any API Client is granted",
    severity: "medium",
    cvss: { min: 4.0, max: 6.5 },
    basis:
      "Gatehouse estimate in the CVSS medium band; the Security Benchmark for Salesforce rates undocumented grants critical, so acknowledge each grant with its justification",
    checks:
      "Every profile and permission set that grants `UseAnyApiClient` is reported, with the declared users holding it.",
    threatScenarios: [
      "A holder's credentials are used through an unvetted client, which API access control would otherwise block.",
      "A holder uses an admin-approved app they were never assigned to.",
    ],
    securityImpact:
      "`UseAnyApiClient` bypasses API access control and connected-app admin approval entirely; Salesforce intends it for a handful of administrators.",
    businessImpact:
      "Every holder is an exception to the app allowlist, so the allowlist no longer describes which clients can reach the org's data.",
    recommendation:
      "Grant `UseAnyApiClient` through one permission set assigned to named administrators only, and acknowledge it with the justification and an expiry date.",
    affects: "The holders of the permission.",
    subjectKinds: ["Profile", "PermissionSet"],
  },
  check(policy) {
    const findings: FindingDraft[] = [];
    const holders: Array<[ProfileModel | PermissionSetModel, "Profile" | "PermissionSet"]> = [
      ...[...policy.profiles.values()].map((p) => [p, "Profile"] as [ProfileModel, "Profile"]),
      ...[...policy.permissionSets.values()].map((s) => [s, "PermissionSet"] as [PermissionSetModel, "PermissionSet"]),
    ];
    for (const [decl, kind] of holders) {
      const index = decl.permissions.indexOf("UseAnyApiClient");
      if (index < 0) continue;
      const word = kind === "Profile" ? "profile" : "permission set";
      const users = kind === "Profile" ? usersOfProfile(policy, decl.name) : usersOfPermissionSet(policy, decl.name);
      findings.push({
        subject: { kind, name: decl.name },
        message: `${word} \`${decl.name}\` grants \`UseAnyApiClient\`, which bypasses API access control and app approval`,
        locations: [locate(decl.doc, `/permissions/${index}`, "`UseAnyApiClient`")],
        affected:
          users.length > 0
            ? users.map(describeUser)
            : [`every user ${kind === "Profile" ? "on" : "assigned"} ${word} \`${decl.name}\``],
      });
    }
    return { examined: holders.length, findings };
  },
};
