/**
 * The combinations of permission sets and permission set groups that can matter for one connected
 * app. A user's sets and groups reach the decision only through the union of their permissions
 * and whether one of them is assigned to the request's app (a group is, when one of its members
 * is); so a combination is summed up, for both versions at once,
 * by a signature of ten bits, and combinations are closed under union. Every reachable
 * signature is one class, represented by the first (shortest) combination that reaches it.
 */
import type { IrConnectedApp } from "../compiler/lower/ir.js";
import type { VersionIndex } from "./version.js";

/** The permissions a decision reads, in bit order. */
export const PERMISSIONS = ["ApiEnabled", "ApiUserOnly", "UseAnyApiClient", "ApproveUninstalledConnectedApps"] as const;

/** A class of combinations: its signature and one combination (sets and groups) that has it. */
export interface PermissionClass {
  readonly signature: number;
  readonly permissionSets: readonly string[];
  readonly permissionSetGroups: readonly string[];
}

/** A permission set or a permission set group, by name. */
export interface Grantor {
  readonly kind: "set" | "group";
  readonly name: string;
}

function permissionBits(permissions: readonly string[] | undefined): number {
  let bits = 0;
  PERMISSIONS.forEach((p, i) => {
    if (permissions?.includes(p)) bits |= 1 << i;
  });
  return bits;
}

function signatureOf(
  grantor: Grantor,
  base: VersionIndex,
  head: VersionIndex,
  baseApp: IrConnectedApp | undefined,
  headApp: IrConnectedApp | undefined,
): number {
  const name = grantor.name;
  const perms = (v: VersionIndex): readonly string[] | undefined =>
    (grantor.kind === "set" ? v.permissionSets : v.permissionSetGroups).get(name);
  const assigned = (app: IrConnectedApp | undefined): number =>
    (grantor.kind === "set" ? app?.permissionSets : app?.permissionSetGroups)?.includes(name) === true ? 1 : 0;
  const b = permissionBits(perms(base));
  const h = permissionBits(perms(head));
  const ab = assigned(baseApp);
  const ah = assigned(headApp);
  return b | (h << 4) | (ab << 8) | (ah << 9);
}

/** Whether a signature reads the same in both versions (same permissions, same assignment). */
export function symmetric(signature: number): boolean {
  return (signature & 0xf) === ((signature >> 4) & 0xf) && ((signature >> 8) & 1) === ((signature >> 9) & 1);
}

/**
 * Every class of permission-set combinations for a request through `baseApp`/`headApp`
 * (undefined: no such app in that version), the empty combination first. At most 1024 classes.
 */
export function permissionClasses(
  grantors: readonly Grantor[],
  base: VersionIndex,
  head: VersionIndex,
  baseApp: IrConnectedApp | undefined,
  headApp: IrConnectedApp | undefined,
): PermissionClass[] {
  const classes = new Map<number, readonly Grantor[]>([[0, []]]);
  for (const grantor of grantors) {
    const sig = signatureOf(grantor, base, head, baseApp, headApp);
    if (sig === 0) continue;
    for (const [existing, combination] of [...classes]) {
      const joined = existing | sig;
      if (!classes.has(joined)) classes.set(joined, [...combination, grantor]);
    }
  }
  return [...classes].map(([signature, combination]) => ({
    signature,
    permissionSets: combination.filter((g) => g.kind === "set").map((g) => g.name),
    permissionSetGroups: combination.filter((g) => g.kind === "group").map((g) => g.name),
  }));
}
