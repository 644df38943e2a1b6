import type { FindingCheck, FindingLocation } from "../finding.js";
import { describeUser, EXTERNAL_LICENSE, EXTERNAL_USER_TYPES, locate, locateFirst } from "../facts.js";

/** GR007: the customers-and-partners API access control is off while external users exist. */
export const customersAndPartnersControlOff: FindingCheck = {
  spec: {
    id: "GR007",
    slug: "customers-and-partners-control-off",
    title: "Customers and partners may call APIs through any app",
    severity: "high",
    cvss: { min: 7.0, max: 8.5 },
    basis: "Gatehouse estimate in the CVSS high band: external users are the largest untrusted population with logins",
    checks:
      "When the policy declares external users (customer or partner user types), profiles with an Experience Cloud licence (Customer Community, Partner Community, External Apps, … and their Login variants) or Experience sites, the org must limit their API access to installed connected apps (`apiAccessControl.customersAndPartnersInstalledAppsOnly`).",
    threatScenarios: [
      "A partner user scripts bulk reads of shared records through an arbitrary OAuth client.",
      "A compromised customer account is driven through the API at a rate the Experience site's UI would never allow.",
    ],
    securityImpact:
      "External users can reach the API through any client, so sharing mistakes that the site's UI hides become scriptable data exposure.",
    businessImpact: "Customer and partner data shared with one external user can be harvested at scale.",
    recommendation:
      "Set `apiAccessControl.customersAndPartnersInstalledAppsOnly: true` and install (and list `sites` for) only the apps external users need.",
    affects: "Customer and partner users of the org's Experience sites.",
    subjectKinds: ["Org"],
  },
  check(policy) {
    const org = policy.org;
    const external = [...policy.users.values()].filter((u) => EXTERNAL_USER_TYPES.has(u.userType));
    const sites = [...policy.sites.values()];
    const profiles = [...policy.profiles.values()].filter((p) => EXTERNAL_LICENSE.test(p.userLicense ?? ""));
    if (external.length === 0 && sites.length === 0 && profiles.length === 0) return { examined: 0, findings: [] };
    if (org.customersAndPartnersInstalledAppsOnly) return { examined: 1, findings: [] };
    const locations: FindingLocation[] = [
      locateFirst(
        org.doc,
        ["/apiAccessControl/customersAndPartnersInstalledAppsOnly", "/apiAccessControl", "/name"],
        "`customersAndPartnersInstalledAppsOnly` is off",
      ),
      ...external.map((u) => locate(u.doc, "/userType", `external user \`${u.name}\``)),
      ...profiles.map((p) => locate(p.doc, "/userLicense", `profile \`${p.name}\` has an Experience Cloud licence`)),
      ...sites.map((s) => locate(s.doc, "/name", `Experience site \`${s.name}\``)),
    ];
    return {
      examined: 1,
      findings: [
        {
          subject: { kind: "Org", name: org.name },
          message: `org \`${org.name}\` lets customers and partners call APIs through any connected app`,
          locations,
          affected: [
            ...external.map(describeUser),
            ...profiles.map((p) => `users on profile \`${p.name}\``),
            ...sites.map((s) => `users of Experience site \`${s.name}\``),
          ],
        },
      ],
    };
  },
};
