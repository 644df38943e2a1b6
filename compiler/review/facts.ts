import type { Permission } from "../../core/model.generated.js";
import { spanOf, type SourceDoc } from "../load/yaml-document.js";
import { findNode, rangeAtPointer, type Anchor } from "../validate/locate.js";
import type { Declared, PermissionSetGroupModel, PolicySet, ProfileModel, UserModel } from "../validate/model.js";
import type { FindingLocation } from "./finding.js";

/** The location of `pointer` in `doc`, described by `message`. */
export function locate(doc: SourceDoc, pointer: string, message: string, anchor: Anchor = "value"): FindingLocation {
  const [start, end] = rangeAtPointer(doc, pointer, anchor) ?? [0, 0];
  return { file: doc.file.displayPath, pointer, message, ...spanOf(doc.file, start, end) };
}

/** True when the document has a value at `pointer`. */
export function has(doc: SourceDoc, pointer: string): boolean {
  return findNode(doc, pointer).node !== undefined;
}

/** The location of the first of `pointers` that the document has (the last one is the fallback). */
export function locateFirst(
  doc: SourceDoc,
  pointers: readonly string[],
  message: string,
  anchor: Anchor = "key",
): FindingLocation {
  const pointer = pointers.find((p) => has(doc, p)) ?? pointers[pointers.length - 1] ?? "";
  return locate(doc, pointer, message, anchor);
}

/** The location of a declaration as a whole: its `name`. */
export function locateDecl(decl: Declared, message: string): FindingLocation {
  return locate(decl.doc, "/name", message);
}

/** Where a declaration's `permissions` list is, or its name when it has none. */
export function locatePermissions(decl: Declared, message: string): FindingLocation {
  return locateFirst(decl.doc, ["/permissions", "/name"], message);
}

/** What a permission set group grants: its members' permissions minus the muted ones. */
export function groupPermissions(policy: PolicySet, group: PermissionSetGroupModel): Set<Permission> {
  const perms = new Set<Permission>();
  for (const member of group.permissionSets)
    for (const p of policy.permissionSets.get(member)?.permissions ?? []) perms.add(p);
  for (const p of group.mutingPermissions) perms.delete(p);
  return perms;
}

/** The permissions a declared user holds: their profile's, their permission sets' and their groups'. */
export function userPermissions(policy: PolicySet, user: UserModel): Set<Permission> {
  const perms = new Set<Permission>(policy.profiles.get(user.profile)?.permissions ?? []);
  for (const name of user.permissionSets)
    for (const p of policy.permissionSets.get(name)?.permissions ?? []) perms.add(p);
  for (const name of user.permissionSetGroups) {
    const group = policy.permissionSetGroups.get(name);
    if (group) for (const p of groupPermissions(policy, group)) perms.add(p);
  }
  return perms;
}

/** The declared users assigned permission set group `name`. */
export function usersOfPermissionSetGroup(policy: PolicySet, name: string): UserModel[] {
  return [...policy.users.values()].filter((u) => u.permissionSetGroups.includes(name));
}

/** The declared users whose profile is `profile`. */
export function usersOfProfile(policy: PolicySet, profile: string): UserModel[] {
  return [...policy.users.values()].filter((u) => u.profile === profile);
}

/** The declared users assigned permission set `name`. */
export function usersOfPermissionSet(policy: PolicySet, name: string): UserModel[] {
  return [...policy.users.values()].filter((u) => u.permissionSets.includes(name));
}

/** The licence of integration users (docs/semantics.md §6). */
export const INTEGRATION_LICENSE = "Salesforce Integration";

/** True when the profile carries the integration user licence. */
export function isIntegrationProfile(profile: ProfileModel | undefined): boolean {
  return profile?.userLicense === INTEGRATION_LICENSE;
}

/** The user types that count as customers and partners (docs/semantics.md §3). */
export const EXTERNAL_USER_TYPES: ReadonlySet<string> = new Set([
  "PowerPartner",
  "PowerCustomerSuccess",
  "CustomerSuccess",
  "CspLitePortal",
]);

/** The Experience Cloud user licences, whose profiles are for customers and partners (with their login variants). */
export const EXTERNAL_LICENSE =
  /^(Customer Community|Customer Community Plus|Partner Community|External Apps|External Identity|Channel Account)( Login)?$/;

/** How a declaration is named in finding messages and affected lists. */
export function describeUser(user: UserModel): string {
  return user.username === undefined || user.username === user.name
    ? `user \`${user.name}\``
    : `user \`${user.name}\` (\`${user.username}\`)`;
}
