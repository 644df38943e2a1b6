import { locatedAll, permissions, ranges, unusedChildren, type ReadContext, type ReadFile } from "./read-context.js";
import type { MetadataPermissionHolder } from "./read-source.js";
import { textOf } from "./xml-reader.js";

/** A profile or permission set: label, user permissions, and for a profile its licence and login IP ranges. */
export function readHolder({ kind, root, file, name, at, skipped }: ReadFile, ctx: ReadContext): void {
  const profile = kind === "profile";
  const label = textOf(root, "label");
  const license = textOf(root, "userLicense");
  const holder: MetadataPermissionHolder = {
    name,
    ...(label === undefined ? {} : { label }),
    ...(license === undefined || !profile ? {} : { userLicense: license }),
    ...(profile && textOf(root, "custom") === "false" ? { standard: true } : {}),
    permissions: permissions(root, file),
    ranges: profile ? ranges(root, file, { start: "startAddress", end: "endAddress" }) : [],
    source: at,
  };
  (profile ? ctx.source.profiles : ctx.source.permissionSets).push(holder);
  ctx.ignoredChildren(file, skipped, `${profile ? "profile" : "permission set"} \`${name}\``);
}

/** A muting permission set: its user permissions (`enabled` means muted). */
export function readMutingSet({ root, file, name, at, skipped }: ReadFile, ctx: ReadContext): void {
  const label = textOf(root, "label");
  ctx.source.mutingSets.push({
    name,
    ...(label === undefined ? {} : { label }),
    permissions: permissions(root, file),
    ranges: [],
    source: at,
  });
  ctx.ignoredChildren(file, skipped, `muting permission set \`${name}\``);
}

/** A permission set group: its member and muting permission sets, by API name. */
export function readGroup({ root, file, name, at }: ReadFile, ctx: ReadContext): void {
  const label = textOf(root, "label");
  ctx.source.groups.push({
    name,
    ...(label === undefined ? {} : { label }),
    permissionSets: locatedAll(root, file, "permissionSets"),
    mutingPermissionSets: locatedAll(root, file, "mutingPermissionSets"),
    source: at,
  });
  const used = new Set(["label", "permissionSets", "mutingPermissionSets"]);
  ctx.ignoredChildren(file, unusedChildren(root, used), `permission set group \`${name}\``);
}
