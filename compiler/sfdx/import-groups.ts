import type { Permission } from "../../core/model.generated.js";
import type { ImportNotes } from "./import-notes.js";
import type { YamlDoc } from "./import-yaml.js";
import { isOwnedPermission, OWNED_PERMISSIONS } from "./owned-permissions.js";
import type { MetadataGroup, MetadataPermissionHolder } from "./read-source.js";

/**
 * Permission set groups as YAML: members by API name (a member not in the tree is left out and
 * the members recorded as unseen), muted permissions from the group's muting permission sets (one
 * not in the tree records the muting as unseen). Only the permissions Gatehouse evaluates are kept.
 */
export function importGroups(
  groups: readonly MetadataGroup[],
  mutingSets: readonly MetadataPermissionHolder[],
  setNames: ReadonlySet<string>,
  notes: ImportNotes,
): YamlDoc[] {
  const muting = new Map(mutingSets.map((m) => [m.name, m]));
  for (const m of mutingSets) {
    const users = groups
      .filter((g) => g.mutingPermissionSets.some((r) => r.value === m.name))
      .map((g) => `\`${g.name}\``);
    notes.add(
      users.length > 0 ? "mapped" : "ignored",
      m.source,
      users.length > 0
        ? `muting permission set \`${m.name}\` → \`mutingPermissions\` of permission set group ${users.join(", ")}`
        : `muting permission set \`${m.name}\` belongs to no permission set group in the tree, so it mutes nothing here`,
    );
  }
  return groups.map((g) => {
    const what = `permission set group \`${g.name}\``;
    const unseen: string[] = [];
    const members: string[] = [];
    for (const ref of g.permissionSets) {
      if (setNames.has(ref.value)) {
        if (!members.includes(ref.value)) members.push(ref.value);
        continue;
      }
      if (!unseen.includes("permissionSets")) unseen.push("permissionSets");
      notes.add(
        "warning",
        ref.source,
        `${what}: member permission set \`${ref.value}\` is not in the source tree; the group is imported without it and its members are recorded as unseen`,
      );
    }
    const muted = new Set<Permission>();
    for (const ref of g.mutingPermissionSets) {
      const set = muting.get(ref.value);
      if (!set) {
        if (!unseen.includes("mutingPermissions")) unseen.push("mutingPermissions");
        notes.add(
          "warning",
          ref.source,
          `${what}: muting permission set \`${ref.value}\` is not in the source tree; what it mutes is recorded as unseen`,
        );
        continue;
      }
      for (const p of set.permissions)
        if (p.value.enabled === "true" && isOwnedPermission(p.value.name)) muted.add(p.value.name);
    }
    const mutingPermissions = OWNED_PERMISSIONS.filter((p) => muted.has(p));
    notes.add(
      "mapped",
      g.source,
      `${what} → \`permission-set-groups.yaml\`: ${members.length} member(s), ${mutingPermissions.length} muted permission(s)`,
    );
    const sources = [g.source, ...g.mutingPermissionSets.flatMap((r) => muting.get(r.value)?.source ?? [])];
    return {
      name: g.name,
      sources,
      value: {
        kind: "PermissionSetGroup",
        name: g.name,
        ...(g.label === undefined ? {} : { label: g.label }),
        permissionSets: members,
        ...(mutingPermissions.length > 0 ? { mutingPermissions } : {}),
        ...(unseen.length > 0 ? { unseen } : {}),
      },
    };
  });
}
