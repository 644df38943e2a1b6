/**
 * User licences whose users cannot call Salesforce APIs, so a profile with one of them is not
 * reported as API-capable whatever its `ApiEnabled` flag says. docs/review.md lists each with
 * its source; a licence not in this table is treated as API-capable.
 */
export const API_INCAPABLE_LICENCES: ReadonlyMap<string, string> = new Map([
  ["Chatter Free", "Salesforce Help, Chatter Free user licences: Chatter only, no access to records or the API"],
  ["Chatter External", "Salesforce Help, Chatter External user licences: invited customers in Chatter groups only"],
  ["Identity", "Salesforce Help, Identity Only licences: single sign-on and identity services only"],
  [
    "Analytics Cloud Integration User",
    "Salesforce Help, CRM Analytics integration user: a system user that runs dataflows, not an API client",
  ],
  ["Guest User License", "docs/semantics.md §3: guest users are denied API access (choice)"],
  ["Guest", "docs/semantics.md §3: guest users are denied API access (choice)"],
]);

/** True when the profile's licence cannot use the API (see API_INCAPABLE_LICENCES). */
export function apiIncapableLicence(licence: string | undefined): boolean {
  return licence !== undefined && API_INCAPABLE_LICENCES.has(licence);
}
