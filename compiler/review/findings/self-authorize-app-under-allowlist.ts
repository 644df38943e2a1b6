import type { FindingCheck, FindingDraft } from "../finding.js";
import { locate, locateFirst } from "../facts.js";

/** GR009: self-authorize apps while the allowlist is on: nobody without `UseAnyApiClient` can use them through the API. */
export const selfAuthorizeAppUnderAllowlist: FindingCheck = {
  spec: {
    id: "GR009",
    slug: "self-authorize-app-under-allowlist",
    title: "Self-authorize app under API access control",
    severity: "low",
    cvss: { min: 2.0, max: 3.9 },
    basis: "Gatehouse estimate in the CVSS low band: a configuration that cannot work as written",
    checks:
      "While `apiAccessControl.allowlistedAppsOnly` is on, every connected app that is not blocked should be `adminApproved`; a self-authorize app is reported.",
    threatScenarios: [
      "Users blocked by the allowlist are pushed towards holders of `UseAnyApiClient`, whose grants then multiply.",
    ],
    securityImpact:
      "The app cannot be used through the API except by `UseAnyApiClient` holders, so its presence signals a stale or misunderstood configuration.",
    businessImpact:
      "Integrations relying on the app fail for ordinary users; the fix under pressure is often a broad bypass grant.",
    recommendation:
      "Make the app `permittedUsers: adminApproved` and assign the profiles or permission sets that use it, or block it if nobody should.",
    affects: "Users of the app without `UseAnyApiClient`.",
    subjectKinds: ["ConnectedApp"],
  },
  check(policy) {
    if (!policy.org.allowlistedAppsOnly) return { examined: 0, findings: [] };
    const findings: FindingDraft[] = [];
    let examined = 0;
    for (const app of policy.apps.values()) {
      if (app.blocked) continue;
      examined++;
      if (app.adminApproved) continue;
      findings.push({
        subject: { kind: "ConnectedApp", name: app.name },
        message: `connected app \`${app.name}\` lets users self-authorize, but API access control admits only admin-approved apps`,
        locations: [
          locateFirst(app.doc, ["/permittedUsers", "/name"], "self-authorize"),
          locate(policy.org.doc, "/apiAccessControl/allowlistedAppsOnly", "API access control is on"),
        ],
        affected: ["users of the app without `UseAnyApiClient`"],
      });
    }
    return { examined, findings };
  },
};
