import type { Ir, IrAddressSet, IrPrefixGroup, IrSource } from "../lower/ir.js";

function truthTable(keys: readonly string[]): Record<string, true> {
  return Object.fromEntries(keys.map((k) => [k, true]));
}

function source(s: IrSource): Record<string, unknown> {
  return { kind: s.kind, name: s.name, file: s.file, line: s.line };
}

function prefixGroup(g: IrPrefixGroup): Record<string, unknown> {
  return { q: Math.floor(g.length / 4), r: g.length % 4, t: truthTable(g.keys) };
}

function addressSet(set: IrAddressSet): Record<string, unknown> {
  return { v4: set.v4.map(prefixGroup), v6: set.v6.map(prefixGroup) };
}

/**
 * The `policy` object of data.json, without its revision: the declarations as lookup tables
 * keyed for direct access (profiles, permission sets and groups by name, apps by client id, address
 * sets by id), so no rule ever iterates over them.
 */
export function policyData(ir: Ir): Record<string, unknown> {
  // A null-prototype object, so a client id such as `__proto__` is an ordinary key.
  const apps = Object.create(null) as Record<string, unknown>;
  for (const app of ir.apps) {
    const entry = {
      name: app.name,
      installed: app.installed,
      blocked: app.blocked,
      adminApproved: app.adminApproved,
      profiles: truthTable(app.profiles),
      permissionSets: truthTable(app.permissionSets),
      permissionSetGroups: truthTable(app.permissionSetGroups),
      ipRelaxation: app.ipRelaxation,
      trustedIpRanges: app.trustedIpRanges,
      highAssurance: app.highAssurance,
      sites: app.sites === null ? null : truthTable(app.sites),
      source: source(app.source),
    };
    // INVARIANT: validate rejected duplicate client ids, so no entry is overwritten.
    for (const clientId of app.clientIds) apps[clientId] = entry;
  }
  return {
    org: {
      name: ir.org.name,
      allowlistedAppsOnly: ir.org.allowlistedAppsOnly,
      customersAndPartnersInstalledAppsOnly: ir.org.customersAndPartnersInstalledAppsOnly,
      enforceLoginIpRangesEveryRequest: ir.org.enforceLoginIpRangesEveryRequest,
      lockSessionsToIp: ir.org.lockSessionsToIp,
      trustedIpRanges: ir.org.trustedIpRanges,
      source: source(ir.org.source),
    },
    profiles: Object.fromEntries(
      ir.profiles.map((p) => [
        p.name,
        { permissions: truthTable(p.permissions), loginIpRanges: p.loginIpRanges, source: source(p.source) },
      ]),
    ),
    permissionSets: Object.fromEntries(
      ir.permissionSets.map((s) => [s.name, { permissions: truthTable(s.permissions) }]),
    ),
    permissionSetGroups: Object.fromEntries(
      ir.permissionSetGroups.map((g) => [g.name, { permissions: truthTable(g.permissions) }]),
    ),
    apps,
    addressSets: Object.fromEntries(ir.addressSets.map((s) => [s.id, addressSet(s)])),
  };
}
