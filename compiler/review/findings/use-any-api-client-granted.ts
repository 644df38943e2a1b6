import type { PermissionSetModel, ProfileModel } from "../../validate/model.js";
import type { FindingCheck, FindingDraft } from "../finding.js";
import type { FindingLocation } from "../finding.js";
import {
  describeUser,
  groupPermissions,
  locate,
  usersOfPermissionSet,
  usersOfPermissionSetGroup,
  usersOfProfile,
} from "../facts.js";

/** GR008: profiles, permission sets and permission set groups that grant `UseAnyApiClient`. */
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
      "Every profile, permission set and permission set group (through a member, unless the group mutes it) that grants `UseAnyApiClient` is reported, with the declared users holding it.",
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
    subjectKinds: ["Profile", "PermissionSet", "PermissionSetGroup"],
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
    for (const group of policy.permissionSetGroups.values()) {
      if (!groupPermissions(policy, group).has("UseAnyApiClient")) continue;
      const locations: FindingLocation[] = [];
      group.permissionSets.forEach((member) => {
        const set = policy.permissionSets.get(member);
        const index = set?.permissions.indexOf("UseAnyApiClient") ?? -1;
        if (!set || index < 0) return;
        const written = (group.doc.value as { permissionSets?: string[] }).permissionSets ?? [];
        locations.push(locate(group.doc, `/permissionSets/${written.indexOf(member)}`, `member \`${member}\``));
        locations.push(locate(set.doc, `/permissions/${index}`, `\`UseAnyApiClient\` in \`${member}\``));
      });
      const users = usersOfPermissionSetGroup(policy, group.name);
      findings.push({
        subject: { kind: "PermissionSetGroup", name: group.name },
        message: `permission set group \`${group.name}\` grants \`UseAnyApiClient\` through its members, which bypasses API access control and app approval`,
        locations,
        affected:
          users.length > 0 ? users.map(describeUser) : [`every user assigned permission set group \`${group.name}\``],
      });
    }
    return { examined: holders.length + policy.permissionSetGroups.size, findings };
  },
};
