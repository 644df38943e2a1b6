import { countNames, located, ranges, unusedChildren, type ReadContext, type ReadFile } from "./read-context.js";

/** `Security.settings`: the org's trusted IP ranges and the two session settings Gatehouse evaluates. */
export function readSecurity({ root, file, at }: ReadFile, ctx: ReadContext): void {
  const network = root.children.find((c) => c.name === "networkAccess");
  const session = root.children.find((c) => c.name === "sessionSettings");
  const enforce = located(session, file, "enforceIpRangesEveryRequest");
  const lock = located(session, file, "lockSessionsToIp");
  ctx.source.security = {
    trusted: network ? ranges(network, file, { start: "start", end: "end" }) : [],
    ...(enforce === undefined ? {} : { enforceEveryRequest: enforce }),
    ...(lock === undefined ? {} : { lockSessionsToIp: lock }),
    source: at,
  };
  const other = [
    ...root.children.filter((c) => c.name !== "networkAccess" && c.name !== "sessionSettings"),
    ...(session?.children ?? []).filter(
      (c) => c.name !== "enforceIpRangesEveryRequest" && c.name !== "lockSessionsToIp",
    ),
  ];
  ctx.ignoredChildren(file, countNames(other), "security settings");
}

const APP_SETTINGS_READ = new Set(["enableAdminApprovedAppsOnly", "enableAdminApprovedAppsOnlyForExternalUser"]);

/** `ConnectedApp.settings`: API access control, for all users and for external ones. */
export function readAppSettings({ root, file, at }: ReadFile, ctx: ReadContext): void {
  const allowlisted = located(root, file, "enableAdminApprovedAppsOnly");
  const external = located(root, file, "enableAdminApprovedAppsOnlyForExternalUser");
  ctx.source.appSettings = {
    ...(allowlisted === undefined ? {} : { allowlisted }),
    ...(external === undefined ? {} : { external }),
    source: at,
  };
  ctx.ignoredChildren(file, unusedChildren(root, APP_SETTINGS_READ), "connected app settings");
}
