import type { ImportNotes } from "./import-notes.js";
import type { Json, YamlDoc } from "./import-yaml.js";
import { STANDARD_PROFILES } from "./names.js";
import type { MetadataPermissionHolder, SourceRef } from "./read-source.js";

/** A profile's or permission set's document: its kind and name, then `fields`. */
function holderDoc(holder: MetadataPermissionHolder, kind: string, fields: Json): YamlDoc {
  return { name: holder.name, sources: [holder.source], value: { kind, name: holder.name, ...fields } };
}

/** A profile or permission set defined in two files is an error naming the first. */
export function noteDuplicateHolders(
  profiles: readonly MetadataPermissionHolder[],
  permissionSets: readonly MetadataPermissionHolder[],
  notes: ImportNotes,
): void {
  for (const [list, word] of [
    [profiles, "profile"],
    [permissionSets, "permission set"],
  ] as const) {
    const first = new Map<string, SourceRef>();
    for (const h of list) {
      const seen = first.get(h.name);
      if (seen) notes.add("error", h.source, `${word} \`${h.name}\` is also defined in \`${seen.file}\``);
      else first.set(h.name, h.source);
    }
  }
}

/** Profiles as YAML: permissions Gatehouse evaluates and login IP ranges; none seen is recorded as unseen. */
export function importProfiles(profiles: readonly MetadataPermissionHolder[], notes: ImportNotes): YamlDoc[] {
  return profiles.map((p) => {
    const what = `profile \`${p.name}\``;
    const perms = notes.permissions(p, what);
    const ranges = notes.ranges(p.ranges, what);
    const label = STANDARD_PROFILES.get(p.name);
    if (p.permissions.length === 0)
      notes.add(
        "warning",
        p.source,
        `${what} has no \`userPermissions\` in the source tree: its permissions are recorded as unseen, not as none (retrieve the profile with its user permissions)`,
      );
    notes.add(
      "mapped",
      p.source,
      `${what} → \`profiles.yaml\`: ${perms.length} permission(s), ${ranges.length} login IP range(s)`,
    );
    return holderDoc(p, "Profile", {
      ...(label === undefined ? {} : { label }),
      ...(p.userLicense === undefined ? {} : { userLicense: p.userLicense }),
      ...(p.standard === true ? { standard: true } : {}),
      ...(perms.length > 0 ? { permissions: perms } : {}),
      ...(ranges.length > 0 ? { loginIpRanges: ranges } : {}),
      ...(p.permissions.length === 0 ? { unseen: ["permissions"] } : {}),
    });
  });
}

/** Permission sets as YAML: their label and the permissions Gatehouse evaluates. */
export function importPermissionSets(sets: readonly MetadataPermissionHolder[], notes: ImportNotes): YamlDoc[] {
  return sets.map((s) => {
    const what = `permission set \`${s.name}\``;
    const perms = notes.permissions(s, what);
    notes.add("mapped", s.source, `${what} → \`permission-sets.yaml\`: ${perms.length} permission(s)`);
    return holderDoc(s, "PermissionSet", {
      ...(s.label === undefined ? {} : { label: s.label }),
      ...(perms.length > 0 ? { permissions: perms } : {}),
    });
  });
}
