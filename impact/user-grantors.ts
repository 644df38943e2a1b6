/**
 * The names a user's access comes through — a profile, permission sets and permission set
 * groups — shared by the semantic diff's request classes and rows and by the report's matrix.
 */

/** The profile, permission sets and permission set groups one user holds. */
export interface UserGrantors {
  readonly profile: string;
  readonly permissionSets: readonly string[];
  readonly permissionSetGroups: readonly string[];
}

/** Just the grantor names of `holder`, without its other fields. */
export function grantorsOf(holder: UserGrantors): UserGrantors {
  return {
    profile: holder.profile,
    permissionSets: holder.permissionSets,
    permissionSetGroups: holder.permissionSetGroups,
  };
}

/** The `user` of a runtime request holding these names; it carries no groups field when there are none. */
export function requestUser(grantors: UserGrantors, userType: string | undefined): Record<string, unknown> {
  return {
    userType,
    profile: grantors.profile,
    permissionSets: [...grantors.permissionSets],
    ...(grantors.permissionSetGroups.length > 0 ? { permissionSetGroups: [...grantors.permissionSetGroups] } : {}),
  };
}
