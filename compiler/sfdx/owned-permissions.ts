import type { Permission } from "../../core/model.generated.js";

/** The permissions Gatehouse evaluates, in the order the YAML lists them. */
export const OWNED_PERMISSIONS: readonly Permission[] = [
  "ApiEnabled",
  "ApiUserOnly",
  "UseAnyApiClient",
  "ApproveUninstalledConnectedApps",
];

/** Whether Gatehouse evaluates the user permission `name`. */
export function isOwnedPermission(name: string): name is Permission {
  return (OWNED_PERMISSIONS as readonly string[]).includes(name);
}
