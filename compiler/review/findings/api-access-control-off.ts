import type { FindingCheck } from "../finding.js";
import { locateFirst } from "../facts.js";

/** Editions without API access control (docs/semantics.md §1). */
export const EDITIONS_WITHOUT_AAC: ReadonlySet<string> = new Set(["Essentials", "Group", "Personal"]);

/** GR006: API access control (allowlisted apps only) is off. */
export const apiAccessControlOff: FindingCheck = {
  spec: {
    id: "GR006",
    slug: "api-access-control-off",
    title: "API access control is off",
    severity: "high",
    cvss: { min: 7.0, max: 8.5 },
    basis:
      "Gatehouse estimate in the CVSS high band, alongside Security Health Review: Manage Other Access Settings for a Connected App (High, 7.0–8.9)",
    checks:
      "The org must limit API access to allowlisted connected apps (`apiAccessControl.allowlistedAppsOnly`), unless its edition has no API access control.",
    threatScenarios: [
      "A user authorizes an unvetted third-party tool, which then reads data through the API with the user's access.",
      "An attacker with a user's password logs in through any OAuth client or the SOAP API and scripts bulk export.",
    ],
    securityImpact:
      "Any API client can be used by any user with API access; the connected-app allowlist, its assignments and its policies can all be side-stepped by using another client.",
    businessImpact:
      "Data can leave through clients no one reviewed, and the security team cannot answer which applications hold the org's data.",
    recommendation:
      "Ask Salesforce Support to enable API Access Control, allowlist the apps in use (admin-approved, assigned to the right profiles and permission sets), then set `apiAccessControl.allowlistedAppsOnly: true`.",
    affects: "Every user with `ApiEnabled`.",
    subjectKinds: ["Org"],
  },
  check(policy) {
    const org = policy.org;
    if (org.edition !== undefined && EDITIONS_WITHOUT_AAC.has(org.edition)) return { examined: 0, findings: [] };
    if (org.allowlistedAppsOnly) return { examined: 1, findings: [] };
    return {
      examined: 1,
      findings: [
        {
          subject: { kind: "Org", name: org.name },
          message: `org \`${org.name}\` does not limit API access to allowlisted connected apps`,
          locations: [
            locateFirst(
              org.doc,
              ["/apiAccessControl/allowlistedAppsOnly", "/apiAccessControl", "/name"],
              "`allowlistedAppsOnly` is off",
            ),
          ],
          affected: ["every user with `ApiEnabled`"],
        },
      ],
    };
  },
};
