import type { FindingCheck, FindingDraft } from "../finding.js";
import {
  describeUser,
  INTEGRATION_LICENSE,
  isIntegrationProfile,
  locate,
  locateFirst,
  locatePermissions,
  userPermissions,
  usersOfProfile,
} from "../facts.js";

/** GR001: integration users, and profiles with the integration licence, that are not API-only. */
export const integrationUserNotApiOnly: FindingCheck = {
  spec: {
    id: "GR001",
    slug: "integration-user-not-api-only",
    title: "Integration user without API Only User",
    severity: "critical",
    cvss: { min: 9.0, max: 10.0 },
    basis: "Security Health Review: OAuth Access Policies – Enforce IP Restrictions (Critical, CVSS 9.0–10.0)",
    checks:
      "Every integration user (a `User` with `integration: true`, or on a profile whose `userLicense` is `Salesforce Integration`) and every profile with that licence must hold `ApiUserOnly`, through the profile or a permission set.",
    threatScenarios: [
      "Credential stuffing: a leaked integration password or token is used to log in to the Salesforce UI.",
      "An insider uses a shared integration account interactively, outside any audit trail tied to a person.",
      "Data exfiltration through reports and list views under an account that holds broad, unattended access.",
    ],
    securityImpact:
      "Integration accounts usually hold the broadest data access in the org and are not protected by MFA; without API Only User they can also be used in the browser, where none of the integration's controls apply.",
    businessImpact:
      "A compromised integration account exposes the data it syncs (often customer records in bulk) and can change records the business relies on, with activity that looks like the integration's own.",
    recommendation:
      "Grant `ApiUserOnly` on the integration user's profile (the Minimum Access - API Only Integrations profile has it and cannot drop it) or through a permission set assigned to every integration user.",
    affects: "Integration users and the systems that hold their credentials.",
    subjectKinds: ["User", "Profile"],
  },
  check(policy) {
    const findings: FindingDraft[] = [];
    let examined = 0;
    for (const profile of policy.profiles.values()) {
      if (!isIntegrationProfile(profile)) continue;
      examined++;
      if (profile.permissions.includes("ApiUserOnly")) continue;
      findings.push({
        subject: { kind: "Profile", name: profile.name },
        message: `profile \`${profile.name}\` has the \`${INTEGRATION_LICENSE}\` licence but does not grant \`ApiUserOnly\``,
        locations: [
          locatePermissions(profile, "no `ApiUserOnly` among the profile's permissions"),
          locate(profile.doc, "/userLicense", "the integration licence"),
        ],
        affected: usersOfProfile(policy, profile.name).map(describeUser),
      });
    }
    for (const user of policy.users.values()) {
      const profile = policy.profiles.get(user.profile);
      if (!user.integration && !isIntegrationProfile(profile)) continue;
      examined++;
      if (userPermissions(policy, user).has("ApiUserOnly")) continue;
      const locations = [
        locateFirst(
          user.doc,
          user.integration ? ["/integration", "/name"] : ["/profile", "/name"],
          user.integration ? "declared an integration user" : "on a profile with the integration licence",
        ),
      ];
      if (profile)
        locations.push(locatePermissions(profile, `profile \`${profile.name}\` does not grant \`ApiUserOnly\``));
      for (const name of user.permissionSets) {
        const set = policy.permissionSets.get(name);
        if (set)
          locations.push(locatePermissions(set, `permission set \`${name}\` does not grant \`ApiUserOnly\` either`));
      }
      for (const name of user.permissionSetGroups) {
        const group = policy.permissionSetGroups.get(name);
        if (group)
          locations.push(
            locateFirst(
              group.doc,
              ["/permissionSets"],
              `permission set group \`${name}\` does not grant \`ApiUserOnly\` either`,
            ),
          );
      }
      findings.push({
        subject: { kind: "User", name: user.name },
        message: `integration user \`${user.name}\` does not hold \`ApiUserOnly\`, so it can log in to the Salesforce UI`,
        locations,
        affected: [describeUser(user)],
      });
    }
    return { examined, findings };
  },
};
