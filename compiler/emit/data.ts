import type { Ir, IrAddressSet, IrPrefixGroup, IrSource } from "../lower/ir.js";

function truthTable(keys: readonly string[]): Record<string, true> {
  // A null-prototype object filled in a loop: no pair arrays, and `__proto__` is an ordinary key.
  const table = Object.create(null) as Record<string, true>;
  for (const k of keys) table[k] = true;
  return table;
}

function source(s: IrSource): Record<string, unknown> {
  return { kind: s.kind, name: s.name, file: s.file, line: s.line };
}

/**
 * One family of an address set as topdown and WebAssembly both read it fast: `t` maps the text of
 * a prefix's full hex digits before its last (possibly partial) digit to a 16-bit mask of the
 * values that digit may take (bit d for digit d), and `q` lists the distinct key lengths, longest
 * first. An address is in the set when, for some q, bit `hex[q]` of `t[hex[0:q]]` is set. Prefixes
 * that share a key are one entry (their masks are or-ed): the set is their union. A table is an
 * object, never an array, so OPA's evaluator reads only the entries a query touches.
 */
export interface MaskTable {
  readonly q: number[];
  readonly t: Record<string, number>;
}

function maskTable(groups: readonly IrPrefixGroup[]): MaskTable {
  const t = Object.create(null) as Record<string, number>;
  const lengths = new Set<number>();
  const store = (prefix: string, mask: number): void => {
    t[prefix] = (t[prefix] ?? 0) | mask;
    lengths.add(prefix.length);
  };
  for (const g of groups) {
    // A group's keys are sorted, so keys sharing a prefix are adjacent: their digits' bits are
    // or-ed here and the table is touched once per prefix (the result is the same in any order).
    let prefix: string | undefined;
    let mask = 0;
    for (const key of g.keys) {
      // INVARIANT: lower writes ceil(length/4) digits per key, the last one masked to its top bits.
      const q = Math.max(key.length - 1, 0);
      const bits = g.length - 4 * q;
      const first = g.length === 0 ? 0 : parseInt(key[q]!, 16);
      const span = 1 << (4 - Math.max(bits, 0));
      const digits = ((1 << span) - 1) << first;
      if (prefix !== undefined && prefix.length === q && key.startsWith(prefix)) {
        mask |= digits;
        continue;
      }
      if (prefix !== undefined) store(prefix, mask);
      prefix = key.slice(0, q);
      mask = digits;
    }
    if (prefix !== undefined) store(prefix, mask);
  }
  const q = [...lengths].sort((a, b) => b - a);
  return { q, t };
}

function addressSet(set: IrAddressSet): Record<string, unknown> {
  return { v4: maskTable(set.v4), v6: maskTable(set.v6) };
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
