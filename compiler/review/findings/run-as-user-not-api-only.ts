import type { FindingCheck, FindingDraft } from "../finding.js";
import { describeUser, locate, locatePermissions, userPermissions } from "../facts.js";

/** GR002: client-credentials apps whose run-as user is not API-only. */
export const runAsUserNotApiOnly: FindingCheck = {
  spec: {
    id: "GR002",
    slug: "run-as-user-not-api-only",
    title: "Client-credentials run-as user without API Only User",
    severity: "critical",
    cvss: { min: 9.0, max: 10.0 },
    basis:
      "Security Health Review: OAuth Access Policies – Enforce IP Restrictions (Critical, CVSS 9.0–10.0); Salesforce requires the run-as user of the client-credentials flow to be API Only",
    checks:
      "Every connected app with a `runAsUser` that names a declared `User` must run as a user holding `ApiUserOnly` (a run-as user that is not declared cannot be reviewed; `gatehouse check` warns about it).",
    threatScenarios: [
      "Anyone holding the app's consumer key and secret obtains tokens for the run-as user, with no user interaction and no MFA.",
      "The run-as account's password, if it has one, opens an interactive session with the same access.",
    ],
    securityImpact:
      "The client-credentials flow issues tokens for the run-as user to whoever has the client secret; Permitted Users does not apply to that user, so its own restrictions are the only ones left.",
    businessImpact:
      "A leaked client secret becomes full use of the run-as user's data access, and Salesforce rejects the configuration once it enforces the API Only requirement, breaking the integration.",
    recommendation:
      "Run the client-credentials flow as a dedicated integration user that holds `ApiUserOnly` and only the permissions the integration needs.",
    affects: "The run-as user, and every system that holds the app's client secret.",
    subjectKinds: ["ConnectedApp"],
  },
  check(policy) {
    const findings: FindingDraft[] = [];
    let examined = 0;
    for (const app of policy.apps.values()) {
      const user = app.runAsUser === undefined ? undefined : policy.users.get(app.runAsUser);
      if (!user) continue;
      examined++;
      if (userPermissions(policy, user).has("ApiUserOnly")) continue;
      const locations = [
        locate(app.doc, "/runAsUser", "the client-credentials run-as user"),
        locate(user.doc, "/name", `user \`${user.name}\` does not hold \`ApiUserOnly\``),
      ];
      const profile = policy.profiles.get(user.profile);
      if (profile) locations.push(locatePermissions(profile, `its profile \`${profile.name}\` does not grant it`));
      findings.push({
        subject: { kind: "ConnectedApp", name: app.name },
        message: `connected app \`${app.name}\` runs the client-credentials flow as \`${user.name}\`, who does not hold \`ApiUserOnly\``,
        locations,
        affected: [describeUser(user)],
      });
    }
    return { examined, findings };
  },
};
