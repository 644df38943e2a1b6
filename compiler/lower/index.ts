import { createHash } from "node:crypto";
import { hexWidth, toHex, type IpFamily } from "../../core/address.js";
import type { StageResult } from "../diagnostics/diagnostic.js";
import { compareText } from "../diagnostics/diagnostic.js";
import type { Permission } from "../../core/model.generated.js";
import type { AddressRange, DeclSource, PermissionSetGroupModel, PolicySet } from "../validate/model.js";
import type { Ir, IrAddressSet, IrPermissionSetGroup, IrPrefixGroup, IrSource } from "./ir.js";
import { coverWithPrefixes, type Prefix } from "./prefix-cover.js";

export type * from "./ir.js";

/** The hex key of a prefix: its leading hex digits, the last one already masked (host bits are zero). */
export function prefixKey(family: IpFamily, prefix: Prefix): string {
  const digits = Math.ceil(prefix.length / 4);
  return toHex(family, prefix.value).slice(0, digits);
}

function groups(family: IpFamily, ranges: readonly AddressRange[]): { groups: IrPrefixGroup[]; count: number } {
  const prefixes = coverWithPrefixes(
    family,
    ranges.filter((r) => r.family === family).map((r) => ({ first: r.first, last: r.last })),
  );
  const byLength = new Map<number, string[]>();
  for (const p of prefixes) {
    const keys = byLength.get(p.length) ?? [];
    keys.push(prefixKey(family, p));
    byLength.set(p.length, keys);
  }
  const out = [...byLength.entries()]
    .sort(([a], [b]) => a - b)
    .map(([length, keys]) => ({ length, keys: keys.sort(compareText) }));
  // INVARIANT: hexWidth bounds every key; a longer one would mean a broken prefix.
  for (const g of out)
    for (const k of g.keys) if (k.length > hexWidth(family)) throw new Error("gatehouse: prefix key too long");
  return { groups: out, count: prefixes.length };
}

function addressSet(ranges: readonly AddressRange[]): IrAddressSet {
  const v4 = groups(4, ranges);
  const v6 = groups(6, ranges);
  const id = createHash("sha256")
    .update(JSON.stringify([v4.groups, v6.groups]))
    .digest("hex")
    .slice(0, 16);
  return { kind: "address-set", id, v4: v4.groups, v6: v6.groups, prefixCount: { v4: v4.count, v6: v6.count } };
}

function irSource(source: DeclSource): IrSource {
  return { kind: source.kind as IrSource["kind"], name: source.name, file: source.file, line: source.line };
}

function byName<T extends { name: string }>(values: Iterable<T>): T[] {
  return [...values].sort((a, b) => compareText(a.name, b.name));
}

/** A group as the policy reads it: its members' permissions, minus the muted ones, computed once. */
function lowerGroup(policy: PolicySet, g: PermissionSetGroupModel): IrPermissionSetGroup {
  const granted = new Set<Permission>();
  for (const member of g.permissionSets)
    for (const p of policy.permissionSets.get(member)?.permissions ?? []) granted.add(p);
  for (const p of g.mutingPermissions) granted.delete(p);
  return {
    kind: "permission-set-group",
    name: g.name,
    permissionSets: [...g.permissionSets].sort(compareText),
    mutingPermissions: [...g.mutingPermissions].sort(compareText),
    permissions: [...granted].sort(compareText),
  };
}

/** The groups that assign a user to an app holding `permissionSets`: those with a member among them. */
function groupsAssigning(policy: PolicySet, permissionSets: readonly string[]): string[] {
  const assigned = new Set(permissionSets);
  return byName(policy.permissionSetGroups.values())
    .filter((g) => g.permissionSets.some((member) => assigned.has(member)))
    .map((g) => g.name);
}

/**
 * Lowers a resolved policy set to the IR: every address list merged and covered by its minimal
 * prefixes, indexed by length and shared by content; every table in a deterministic order.
 */
export function lower(policy: PolicySet): StageResult<Ir> {
  const sets = new Map<string, IrAddressSet>();
  // Lists resolved from the same networks hold the same range objects: cover each such list once.
  const covered = new Map<number, Array<{ ranges: readonly AddressRange[]; id: string }>>();
  const setId = (ranges: readonly AddressRange[]): string | null => {
    if (ranges.length === 0) return null;
    const candidates = covered.get(ranges.length) ?? [];
    const same = candidates.find((c) => c.ranges === ranges || c.ranges.every((r, i) => r === ranges[i]));
    if (same) return same.id;
    const set = addressSet(ranges);
    sets.set(set.id, set);
    candidates.push({ ranges, id: set.id });
    covered.set(ranges.length, candidates);
    return set.id;
  };
  const org = policy.org;
  const ir: Ir = {
    kind: "policy-ir",
    version: 1,
    org: {
      kind: "org",
      name: org.name,
      allowlistedAppsOnly: org.allowlistedAppsOnly,
      customersAndPartnersInstalledAppsOnly: org.customersAndPartnersInstalledAppsOnly,
      enforceLoginIpRangesEveryRequest: org.enforceLoginIpRangesEveryRequest,
      lockSessionsToIp: org.lockSessionsToIp,
      trustedIpRanges: setId(org.trustedIpRanges),
      source: irSource(org.source),
    },
    profiles: byName(policy.profiles.values()).map((p) => ({
      kind: "profile",
      name: p.name,
      permissions: [...p.permissions].sort(compareText),
      loginIpRanges: setId(p.loginIpRanges),
      source: irSource(p.source),
    })),
    permissionSets: byName(policy.permissionSets.values()).map((s) => ({
      kind: "permission-set",
      name: s.name,
      permissions: [...s.permissions].sort(compareText),
    })),
    permissionSetGroups: byName(policy.permissionSetGroups.values()).map((g) => lowerGroup(policy, g)),
    apps: byName(policy.apps.values()).map((a) => ({
      kind: "connected-app",
      name: a.name,
      clientIds: [...a.clientIds].sort(compareText),
      installed: a.installed,
      blocked: a.blocked,
      adminApproved: a.adminApproved,
      profiles: [...a.profiles].sort(compareText),
      permissionSets: [...a.permissionSets].sort(compareText),
      permissionSetGroups: groupsAssigning(policy, a.permissionSets),
      ipRelaxation: a.ipRelaxation,
      trustedIpRanges: setId(a.trustedIpRanges),
      highAssurance: a.highAssurance ?? null,
      sites: a.sites === undefined ? null : [...a.sites].sort(compareText),
      source: irSource(a.source),
    })),
    addressSets: [...sets.values()].sort((a, b) => compareText(a.id, b.id)),
    feeds: [
      ...new Map(policy.feeds.map((f) => [f.file.relPath, { file: f.file.relPath, sha256: f.file.sha256 }])).values(),
    ].sort((a, b) => compareText(a.file, b.file)),
    sourceFiles: [...policy.fileHashes.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([file, sha256]) => ({ file, sha256 })),
  };
  return { value: ir, diagnostics: [] };
}
