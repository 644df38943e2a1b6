/**
 * Names in SFDX source: file names are metadata names with a few characters percent-encoded,
 * and standard profiles have a display name that differs from their file name.
 */

/**
 * Standard profiles whose file (API) name differs from the name Salesforce shows, e.g. in a
 * connected app's `profileName`: `Admin.profile-meta.xml` is System Administrator.
 */
export const STANDARD_PROFILES: ReadonlyMap<string, string> = new Map([
  ["Admin", "System Administrator"],
  ["Standard", "Standard User"],
  ["ReadOnly", "Read Only"],
  ["ContractManager", "Contract Manager"],
  ["MarketingProfile", "Marketing User"],
  ["SolutionManager", "Solution Manager"],
  ["StandardAul", "Standard Platform User"],
]);

/** The name Salesforce shows for a profile: the standard display name, or the profile's own name. */
export function profileDisplayName(name: string): string {
  return STANDARD_PROFILES.get(name) ?? name;
}

/** Decodes a metadata file's base name (`Custom%3A Sales Profile` → `Custom: Sales Profile`); undefined when malformed. */
export function decodeFileName(base: string): string | undefined {
  try {
    return decodeURIComponent(base);
  } catch {
    return undefined;
  }
}

/** Encodes a metadata name as a file base name the way Salesforce retrieves it (`/` → `%2F`, `.` → `%2E`, …). */
export function encodeFileName(name: string): string {
  return name.replace(
    // eslint-disable-next-line no-control-regex -- control characters must be encoded too
    /[%/\\:*?"<>|.\u0000-\u001f\u007f]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}
