import { formatAddress, parseAddress } from "../core/address.js";
import { compareText } from "../compiler/diagnostics/diagnostic.js";
import type { AddressRange, PolicySet, ProfileModel } from "../compiler/validate/model.js";
import type { MatrixSubject } from "./model.js";

const EXTERNAL_LICENSES: ReadonlyArray<readonly [RegExp, string]> = [
  [/guest/i, "Guest"],
  [/partner/i, "PowerPartner"],
  [/customer community plus/i, "PowerCustomerSuccess"],
  [/customer|portal/i, "CustomerSuccess"],
];

/**
 * The user type a profile's users have: that of the first declared user (by name) with the
 * profile, else one read from the profile's user license, else `Standard`.
 */
export function userTypeOf(policy: PolicySet, profile: ProfileModel): string {
  const users = [...policy.users.values()]
    .filter((u) => u.profile === profile.name)
    .sort((a, b) => compareText(a.name, b.name));
  if (users[0]) return users[0].userType;
  const license = profile.userLicense ?? "";
  return EXTERNAL_LICENSES.find(([pattern]) => pattern.test(license))?.[1] ?? "Standard";
}

/** The labels of a list of ranges: the network each came from, or the entry as written; in order, once each. */
export function rangeLabels(ranges: readonly AddressRange[]): string[] {
  const labels = new Set<string>();
  for (const r of ranges) labels.add(rangeLabel(r));
  return [...labels];
}

/** The network an entry belongs to (by name), or the entry as written. */
export function rangeLabel(range: AddressRange): string {
  const value = range.origin.doc.value as { kind?: unknown; name?: unknown } | undefined;
  return value?.kind === "Network" && typeof value.name === "string" ? `network ${value.name}` : range.text;
}

/**
 * The profile a permission set's (or group's) row is decided with: that of the first declared user
 * holding it, else the first profile with `ApiEnabled`, else the first profile (all by name).
 */
function baseProfile(
  policy: PolicySet,
  holds: (user: { permissionSets: readonly string[]; permissionSetGroups: readonly string[] }) => boolean,
  profiles: readonly ProfileModel[],
): ProfileModel {
  const holder = [...policy.users.values()].filter(holds).sort((a, b) => compareText(a.name, b.name))[0];
  const declared = holder ? policy.profiles.get(holder.profile) : undefined;
  // INVARIANT: callers pass at least one profile.
  return declared ?? profiles.find((p) => p.permissions.includes("ApiEnabled")) ?? profiles[0]!;
}

interface Assigned {
  readonly kind: "permission-set" | "permission-set-group";
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

/**
 * The matrix rows: every profile alone, then every permission set, then every permission set
 * group, each alone on its base profile.
 */
export function matrixSubjects(policy: PolicySet): MatrixSubject[] {
  const profiles = [...policy.profiles.values()].sort((a, b) => compareText(a.name, b.name));
  if (profiles.length === 0) return [];
  const row = (profile: ProfileModel, assigned?: Assigned): MatrixSubject => ({
    kind: assigned?.kind ?? "profile",
    label: assigned ? `${assigned.name} (on ${profile.name})` : profile.name,
    profile: profile.name,
    permissionSets: assigned?.kind === "permission-set" ? [assigned.name] : [],
    permissionSetGroups: assigned?.kind === "permission-set-group" ? [assigned.name] : [],
    userType: userTypeOf(policy, profile),
    networks: rangeLabels(profile.loginIpRanges),
    source: assigned
      ? { file: assigned.file, line: assigned.line }
      : { file: profile.source.file, line: profile.source.line },
  });
  const byName = <T extends { name: string }>(values: Iterable<T>): T[] =>
    [...values].sort((a, b) => compareText(a.name, b.name));
  return [
    ...profiles.map((p) => row(p)),
    ...byName(policy.permissionSets.values()).map((s) =>
      row(
        baseProfile(policy, (u) => u.permissionSets.includes(s.name), profiles),
        {
          kind: "permission-set",
          name: s.name,
          file: s.source.file,
          line: s.source.line,
        },
      ),
    ),
    ...byName(policy.permissionSetGroups.values()).map((g) =>
      row(
        baseProfile(policy, (u) => u.permissionSetGroups.includes(g.name), profiles),
        {
          kind: "permission-set-group",
          name: g.name,
          file: g.source.file,
          line: g.source.line,
        },
      ),
    ),
  ];
}

const CANDIDATES = [
  "198.18.0.1",
  "100.64.0.1",
  "192.0.2.254",
  "10.255.255.254",
  "172.31.255.254",
  "1.1.1.1",
  "223.255.255.254",
  "2001:db8:ffff:ffff::1",
  "fd00::1",
  "2a00::1",
];

function inRanges(ranges: readonly AddressRange[], text: string): boolean {
  const parsed = parseAddress(text);
  // INVARIANT: every candidate is a strict address.
  if (!parsed.ok) return true;
  const { family, value } = parsed.value;
  return ranges.some((r) => r.family === family && r.first <= value && value <= r.last);
}

/** An address inside the first of `ranges`; a fixed documentation address when there are none. */
export function insideAddress(ranges: readonly AddressRange[]): string {
  const first = ranges[0];
  return first ? formatAddress(first.family, first.first) : "192.0.2.1";
}

/** An address outside every one of `ranges` (and of `also`), or null when they cover every candidate. */
export function outsideAddress(ranges: readonly AddressRange[], also: readonly AddressRange[] = []): string | null {
  return CANDIDATES.find((text) => !inRanges(ranges, text) && !inRanges(also, text)) ?? null;
}
