/**
 * The permission-set combinations that can matter for one connected app. A user's permission
 * sets reach the decision only through the union of their permissions and whether one of them
 * is assigned to the request's app; so a combination is summed up, for both versions at once,
 * by a signature of ten bits, and combinations are closed under union. Every reachable
 * signature is one class, represented by the first (shortest) combination that reaches it.
 */
import type { IrConnectedApp } from "../compiler/lower/ir.js";
import type { VersionIndex } from "./version.js";

/** The permissions a decision reads, in bit order. */
export const PERMISSIONS = ["ApiEnabled", "ApiUserOnly", "UseAnyApiClient", "ApproveUninstalledConnectedApps"] as const;

/** A class of permission-set combinations: its signature and one combination that has it. */
export interface PermissionClass {
  readonly signature: number;
  readonly permissionSets: readonly string[];
}

function permissionBits(permissions: readonly string[] | undefined): number {
  let bits = 0;
  PERMISSIONS.forEach((p, i) => {
    if (permissions?.includes(p)) bits |= 1 << i;
  });
  return bits;
}

function signatureOf(
  name: string,
  base: VersionIndex,
  head: VersionIndex,
  baseApp: IrConnectedApp | undefined,
  headApp: IrConnectedApp | undefined,
): number {
  const b = permissionBits(base.permissionSets.get(name));
  const h = permissionBits(head.permissionSets.get(name));
  const ab = baseApp?.permissionSets.includes(name) === true ? 1 : 0;
  const ah = headApp?.permissionSets.includes(name) === true ? 1 : 0;
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
  names: readonly string[],
  base: VersionIndex,
  head: VersionIndex,
  baseApp: IrConnectedApp | undefined,
  headApp: IrConnectedApp | undefined,
): PermissionClass[] {
  const classes = new Map<number, readonly string[]>([[0, []]]);
  for (const name of names) {
    const sig = signatureOf(name, base, head, baseApp, headApp);
    if (sig === 0) continue;
    for (const [existing, sets] of [...classes]) {
      const joined = existing | sig;
      if (!classes.has(joined)) classes.set(joined, [...sets, name]);
    }
  }
  return [...classes].map(([signature, permissionSets]) => ({ signature, permissionSets }));
}
