import type { ImportNotes } from "./import-notes.js";
import type { Json, YamlDoc } from "./import-yaml.js";
import type { MetadataSource, SourceRef } from "./read-source.js";

/**
 * The `Org` declaration from `ConnectedApp.settings` and `Security.settings`; what is missing is
 * recorded as unseen (decisions read it as off), with a warning.
 */
export function importOrg(source: MetadataSource, dir: string, orgName: string, notes: ImportNotes): YamlDoc {
  const { security, appSettings } = source;
  const allowlisted = notes.bool(appSettings?.allowlisted, "`enableAdminApprovedAppsOnly`");
  const external = notes.bool(appSettings?.external, "`enableAdminApprovedAppsOnlyForExternalUser`");
  const enforce = notes.bool(security?.enforceEveryRequest, "`enforceIpRangesEveryRequest`");
  const lock = notes.bool(security?.lockSessionsToIp, "`lockSessionsToIp`");
  const trusted = notes.ranges(security?.trusted ?? [], "the org's trusted IP ranges");
  if (!appSettings)
    notes.addFile(
      "warning",
      dir,
      "no `ConnectedApp.settings`: API access control is recorded as unseen (decisions read it as off; review reports what rests on it as unverified)",
    );
  if (!security)
    notes.addFile(
      "warning",
      dir,
      "no `Security.settings`: the session settings and trusted IP ranges are recorded as unseen (decisions read them as off and none; review reports what rests on them as unverified)",
    );
  const value: Json = {
    kind: "Org",
    name: orgName,
    ...(appSettings
      ? {
          apiAccessControl: {
            allowlistedAppsOnly: allowlisted ?? false,
            customersAndPartnersInstalledAppsOnly: external ?? false,
          },
        }
      : {}),
    ...(security
      ? { session: { enforceLoginIpRangesEveryRequest: enforce ?? false, lockSessionsToIp: lock ?? false } }
      : {}),
    ...(trusted.length > 0 ? { trustedIpRanges: trusted } : {}),
    ...(!appSettings || !security
      ? {
          unseen: [...(appSettings ? [] : ["apiAccessControl"]), ...(security ? [] : ["session", "trustedIpRanges"])],
        }
      : {}),
  };
  const sources = [appSettings?.source, security?.source].filter((x): x is SourceRef => x !== undefined);
  return { name: orgName, sources, value };
}
