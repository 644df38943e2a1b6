import { diagnosticAtPointer } from "../locate.js";
import type { Rule } from "./rule.js";

const AAC_EDITIONS = new Set(["Professional", "Enterprise", "Performance", "Unlimited", "Developer"]);

/** API access control turned on for an edition that does not offer it. */
export const orgEdition: Rule = {
  name: "org-edition",
  check(policy, report) {
    const org = policy.org;
    if (org.edition === undefined || AAC_EDITIONS.has(org.edition)) return;
    const on = org.allowlistedAppsOnly
      ? "allowlistedAppsOnly"
      : org.customersAndPartnersInstalledAppsOnly
        ? "customersAndPartnersInstalledAppsOnly"
        : undefined;
    if (on === undefined) return;
    report(
      diagnosticAtPointer(
        org.doc,
        `/apiAccessControl/${on}`,
        "GH308",
        `API access control is on, but the ${org.edition} edition does not offer it`,
        {
          hint: "API access control exists in Professional, Enterprise, Performance, Unlimited and Developer editions",
        },
      ),
    );
  },
};
