import { stringify } from "yaml";
import { formatAddress, formatPrefix, type IpFamily } from "../../core/address.js";
import { intervalToPrefixes } from "../../compiler/lower/prefix-cover.js";
import type { BenchFeed } from "./feed.js";
import { Random } from "./random.js";

/** The size of a generated policy set. */
export interface TierSpec {
  /** `S`, `M`, `L`, or a scaling point such as `ranges-1000`. */
  readonly name: string;
  readonly apps: number;
  readonly profiles: number;
  readonly permissionSets: number;
  /** Generated login IP ranges (start–end ranges, CIDRs and single addresses, IPv4 and IPv6). */
  readonly ranges: number;
  /** Add every prefix of the provider feed to the login IP ranges. */
  readonly feed: boolean;
  readonly seed: number;
}

/** The tiers of the issue: S (10 apps, 10 ranges), M (1,000 apps, 1,000 ranges), L (10,000 apps, 1,000 profiles, the feed plus 100,000 ranges). */
export const TIERS: Readonly<Record<"S" | "M" | "L", TierSpec>> = {
  S: { name: "S", apps: 10, profiles: 8, permissionSets: 3, ranges: 10, feed: false, seed: 1 },
  M: { name: "M", apps: 1_000, profiles: 100, permissionSets: 50, ranges: 1_000, feed: false, seed: 2 },
  L: { name: "L", apps: 10_000, profiles: 1_000, permissionSets: 500, ranges: 100_000, feed: true, seed: 3 },
};

/** A point of the range-scaling curve: S's apps and profiles, `ranges` login IP ranges. */
export function rangesPoint(ranges: number): TierSpec {
  return { ...TIERS.S, name: `ranges-${ranges}`, ranges, seed: 100 + ranges };
}

/** A point of the app-scaling curve: `apps` connected apps, S's profiles and ranges. */
export function appsPoint(apps: number): TierSpec {
  return { ...TIERS.S, name: `apps-${apps}`, apps, seed: 200 + apps };
}

/** What a connected app is there to exercise (docs/semantics.md §4.6–4.10). */
export type AppKind =
  | "enforce"
  | "bypass"
  | "relaxRefresh"
  | "twoFactor"
  | "blocked"
  | "uninstalled"
  | "selfAuthorize"
  | "haBlock"
  | "haStepUp"
  | "site";

/** How often each kind occurs past the first ten apps (which hold one of each). */
export const APP_KIND_WEIGHTS: Readonly<Record<AppKind, number>> = {
  enforce: 55,
  bypass: 8,
  relaxRefresh: 8,
  twoFactor: 5,
  blocked: 4,
  uninstalled: 4,
  selfAuthorize: 6,
  haBlock: 3,
  haStepUp: 4,
  site: 3,
};

/** What a profile is there to exercise. */
export type ProfileRole = "standard" | "integration" | "noApi" | "open" | "partner" | "guest";

/** A generated connected app and its assignments. */
export interface BenchApp {
  readonly name: string;
  readonly clientId: string;
  readonly kind: AppKind;
  readonly profiles: readonly string[];
  readonly permissionSets: readonly string[];
}

/** An inclusive interval of one family. */
export interface Span {
  readonly first: bigint;
  readonly last: bigint;
}

/** Sorted, disjoint intervals of one family, with membership by binary search. */
export class SpanSet {
  readonly spans: readonly Span[];

  constructor(spans: readonly Span[]) {
    const sorted = [...spans].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    const merged: Array<{ first: bigint; last: bigint }> = [];
    for (const s of sorted) {
      const top = merged[merged.length - 1];
      if (top && s.first <= top.last + 1n) {
        if (s.last > top.last) top.last = s.last;
      } else merged.push({ first: s.first, last: s.last });
    }
    this.spans = merged;
  }

  /** True when `value` lies in one of the intervals. */
  has(value: bigint): boolean {
    return this.overlapping(value, value) !== undefined;
  }

  /** The first interval that shares an address with [first, last], if any. */
  overlapping(first: bigint, last: bigint): Span | undefined {
    let lo = 0;
    let hi = this.spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.spans[mid]!.last < first) lo = mid + 1;
      else hi = mid;
    }
    const s = this.spans[lo];
    return s !== undefined && s.first <= last ? s : undefined;
  }
}

/** What the request stream needs to know about a generated policy set. */
export interface TierModel {
  readonly spec: TierSpec;
  readonly apps: readonly BenchApp[];
  readonly appsByKind: Readonly<Record<AppKind, readonly BenchApp[]>>;
  readonly profilesByRole: Readonly<Record<ProfileRole, readonly string[]>>;
  readonly anyClientPermissionSet: string;
  readonly accessPermissionSets: readonly string[];
  readonly site: string;
  /** The login IP ranges of every profile that has them, per family. */
  readonly loginRanges: Readonly<Record<IpFamily, SpanSet>>;
  /** The trusted IP ranges of the BYPASS_2FACTOR apps (disjoint from the login ranges). */
  readonly partnerVpn: Readonly<Record<IpFamily, SpanSet>>;
  /** How many ranges of each family and form were generated. */
  readonly rangeForms: Readonly<Record<string, number>>;
}

/** A generated policy set: its files (path → text) and its model. */
export interface GeneratedTier {
  readonly files: ReadonlyMap<string, string>;
  readonly model: TierModel;
}

const PARTNER_VPN: Record<IpFamily, Span> = {
  4: { first: 0xc6120000n, last: 0xc613ffffn }, // 198.18.0.0/15
  6: { first: 0x20010db8beef0000n << 64n, last: (0x20010db8beef0000n << 64n) | ((1n << 80n) - 1n) }, // 2001:db8:beef::/48
};
const V6_START = 0x2a02_0000n << 96n;
const V4_START = 1n << 24n;

type RangeEntry = string | { start: string; end: string };

interface RangeForm {
  readonly name: string;
  /** The number of addresses, or a prefix length (CIDR). */
  readonly draw: (random: Random) => { readonly size: bigint; readonly cidr: boolean };
}

const V4_FORMS: ReadonlyArray<[RangeForm, number]> = [
  [{ name: "v4 single address", draw: () => ({ size: 1n, cidr: true }) }, 30],
  [{ name: "v4 CIDR /24–/30", draw: (r) => ({ size: 1n << BigInt(32 - r.int(24, 30)), cidr: true }) }, 35],
  [{ name: "v4 CIDR /18–/23", draw: (r) => ({ size: 1n << BigInt(32 - r.int(18, 23)), cidr: true }) }, 10],
  [{ name: "v4 start–end of whole /24s", draw: (r) => ({ size: 256n * BigInt(r.int(2, 6)), cidr: false }) }, 10],
  [{ name: "v4 start–end, unaligned", draw: (r) => ({ size: BigInt(r.int(2, 2000)), cidr: false }) }, 15],
];
const V6_FORMS: ReadonlyArray<[RangeForm, number]> = [
  [{ name: "v6 CIDR /48", draw: () => ({ size: 1n << 80n, cidr: true }) }, 30],
  [{ name: "v6 CIDR /56", draw: () => ({ size: 1n << 72n, cidr: true }) }, 20],
  [{ name: "v6 CIDR /64", draw: () => ({ size: 1n << 64n, cidr: true }) }, 30],
  [{ name: "v6 single address", draw: () => ({ size: 1n, cidr: true }) }, 10],
  [{ name: "v6 start–end of whole /64s", draw: (r) => ({ size: BigInt(r.int(2, 300)) << 64n, cidr: false }) }, 10],
];

function drawForm(random: Random, forms: ReadonlyArray<[RangeForm, number]>): RangeForm {
  const weights = Object.fromEntries(forms.map(([f, w]) => [f.name, w]));
  const name = random.weighted(weights);
  return forms.find(([f]) => f.name === name)![0];
}

/**
 * Generates `count` disjoint ranges walking up the address space with random gaps, skipping
 * everything in `avoid` (the feed and the partner VPN), so that lists never overlap and the
 * compiler reports nothing. One in five ranges is IPv6 (at least one when there are two or more).
 */
function generateRanges(
  random: Random,
  count: number,
  avoid: Record<IpFamily, SpanSet>,
): { entries: RangeEntry[]; spans: Record<IpFamily, Span[]>; forms: Record<string, number> } {
  const v6Count = count >= 2 ? Math.max(1, Math.round(count / 5)) : 0;
  const entries: RangeEntry[] = [];
  const spans: Record<IpFamily, Span[]> = { 4: [], 6: [] };
  const forms: Record<string, number> = {};
  const cursor: Record<IpFamily, bigint> = { 4: V4_START, 6: V6_START };
  const order: IpFamily[] = Array.from({ length: count }, (_, i) => (i % 5 === 4 && i / 5 < v6Count ? 6 : 4));
  while (order.filter((f) => f === 6).length < v6Count) order[order.lastIndexOf(4)] = 6;
  for (const family of order) {
    const form = drawForm(random, family === 4 ? V4_FORMS : V6_FORMS);
    const { size, cidr } = form.draw(random);
    const gap = family === 4 ? BigInt(random.int(1, 20_000)) : BigInt(random.int(1, 1 << 20)) << 64n;
    const align = cidr ? size : family === 6 ? 1n << 64n : 1n;
    let first = ((cursor[family] + gap + align - 1n) / align) * align;
    let last = first + size - 1n;
    for (let blocking = avoid[family].overlapping(first, last); blocking;) {
      first = ((blocking.last + align) / align) * align;
      last = first + size - 1n;
      blocking = avoid[family].overlapping(first, last);
    }
    cursor[family] = last;
    spans[family].push({ first, last });
    forms[form.name] = (forms[form.name] ?? 0) + 1;
    if (cidr && size === 1n) entries.push(formatAddress(family, first));
    else if (cidr) {
      const [prefix] = intervalToPrefixes(family === 4 ? 32 : 128, { first, last });
      entries.push(formatPrefix({ family, value: prefix!.value, length: prefix!.length }));
    } else entries.push({ start: formatAddress(family, first), end: formatAddress(family, last) });
  }
  if (cursor[4] >= 0xe0000000n) throw new Error("bench: the IPv4 ranges ran into the multicast block");
  return { entries, spans, forms };
}

function spanSets(spans: Record<IpFamily, readonly Span[]>): Record<IpFamily, SpanSet> {
  return { 4: new SpanSet(spans[4]), 6: new SpanSet(spans[6]) };
}

function pad(i: number, width: number): string {
  return String(i).padStart(width, "0");
}

function clientId(random: Random): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let id = "3MVG9";
  for (let i = 0; i < 40; i++) id += alphabet[random.int(0, alphabet.length - 1)];
  return id;
}

function profileRoles(count: number): ProfileRole[] {
  const partner = Math.max(1, Math.round(count * 0.05));
  const integration = Math.max(1, Math.round(count * 0.1));
  const standard = count - partner - integration - 3;
  if (standard < 2) throw new Error(`bench: ${count} profiles are too few (at least 7)`);
  return [
    ...Array<ProfileRole>(standard).fill("standard"),
    ...Array<ProfileRole>(integration).fill("integration"),
    ...Array<ProfileRole>(partner).fill("partner"),
    "noApi",
    "open",
    "guest",
  ];
}

const ROLE_LABEL: Record<ProfileRole, string> = {
  standard: "Sales User",
  integration: "Integration",
  noApi: "Read Only",
  open: "Field Service",
  partner: "Partner Community User",
  guest: "Site Guest",
};

function yamlDocs(docs: readonly object[]): string {
  return (
    "# yaml-language-server: $schema=../../schemas/policy.schema.json\n" +
    docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n")
  );
}

/**
 * Generates the policy set of `spec`, deterministically from its seed: a hardened org (every
 * API access control and session setting on), profiles of every role, permission sets, apps
 * of every kind with their assignments, the login IP ranges as one `corporate` network (plus
 * the provider feed as `provider` when `spec.feed`), and the model the request stream needs.
 */
export function generateTier(spec: TierSpec, feed: BenchFeed | undefined): GeneratedTier {
  const random = new Random(spec.seed);
  if (spec.feed && !feed) throw new Error(`bench: tier ${spec.name} needs the provider feed`);
  const feedSpans: Record<IpFamily, Span[]> = { 4: [], 6: [] };
  if (spec.feed) for (const i of feed!.intervals) feedSpans[i.family].push(i);
  const avoid = spanSets({ 4: [...feedSpans[4], PARTNER_VPN[4]], 6: [...feedSpans[6], PARTNER_VPN[6]] });
  const generated = generateRanges(random, spec.ranges, avoid);
  const login = spanSets({ 4: [...generated.spans[4], ...feedSpans[4]], 6: [...generated.spans[6], ...feedSpans[6]] });

  const roles = profileRoles(spec.profiles);
  const width = String(spec.profiles).length;
  const profilesByRole: Record<ProfileRole, string[]> = {
    standard: [],
    integration: [],
    noApi: [],
    open: [],
    partner: [],
    guest: [],
  };
  const loginIpRanges = [{ network: "corporate" }, ...(spec.feed ? [{ network: "provider" }] : [])];
  const profileDocs = roles.map((role, i) => {
    const name = `${ROLE_LABEL[role]} ${pad(i + 1, width)}`;
    profilesByRole[role].push(name);
    const permissions = role === "noApi" ? [] : role === "integration" ? ["ApiEnabled", "ApiUserOnly"] : ["ApiEnabled"];
    const ranged = role === "standard" || role === "integration" || role === "noApi";
    return {
      kind: "Profile",
      name,
      ...(permissions.length > 0 ? { permissions } : {}),
      ...(ranged ? { loginIpRanges } : {}),
    };
  });

  const anyClient = "Any API Client";
  const access = Array.from({ length: spec.permissionSets - 1 }, (_, i) => `App Access ${pad(i + 1, 4)}`);
  const permissionSetDocs = [
    { kind: "PermissionSet", name: anyClient, permissions: ["UseAnyApiClient"] },
    ...access.map((name) => ({ kind: "PermissionSet", name })),
  ];

  const kinds = Object.keys(APP_KIND_WEIGHTS) as AppKind[];
  const appsByKind = Object.fromEntries(kinds.map((k) => [k, [] as BenchApp[]])) as Record<AppKind, BenchApp[]>;
  const apps: BenchApp[] = [];
  const appDocs: object[] = [];
  const appWidth = String(spec.apps).length;
  for (let i = 0; i < spec.apps; i++) {
    const kind = i < kinds.length ? kinds[i]! : random.weighted(APP_KIND_WEIGHTS);
    const name = `app-${pad(i + 1, appWidth)}-${kind}`;
    let profiles: string[] = [];
    let permissionSets: string[] = [];
    if (kind === "site") profiles = random.sample(profilesByRole.partner, random.int(1, 2));
    else if (kind !== "selfAuthorize") {
      profiles = random.sample(profilesByRole.standard, random.int(1, Math.min(3, profilesByRole.standard.length - 1)));
      if (random.chance(0.3) || i < kinds.length) profiles.push(random.pick(profilesByRole.integration));
      if (access.length > 0) permissionSets = random.sample(access, random.int(i < kinds.length ? 1 : 0, 2));
    }
    const app: BenchApp = { name, clientId: clientId(random), kind, profiles, permissionSets };
    apps.push(app);
    appsByKind[kind].push(app);
    appDocs.push({
      kind: "ConnectedApp",
      name,
      clientIds: [app.clientId],
      ...(kind === "blocked" ? { blocked: true } : {}),
      ...(kind === "uninstalled" ? { installed: false } : {}),
      permittedUsers: kind === "selfAuthorize" ? "selfAuthorize" : "adminApproved",
      ...(profiles.length > 0 ? { profiles } : {}),
      ...(permissionSets.length > 0 ? { permissionSets } : {}),
      ipRelaxation:
        kind === "bypass"
          ? "BYPASS"
          : kind === "relaxRefresh"
            ? "ENFORCE_RELAXREFRESH"
            : kind === "twoFactor"
              ? "BYPASS_2FACTOR"
              : "ENFORCE",
      ...(kind === "twoFactor" ? { trustedIpRanges: [{ network: "partner-vpn" }] } : {}),
      ...(kind === "haBlock" ? { sessionPolicy: { highAssurance: { action: "block" } } } : {}),
      ...(kind === "haStepUp" ? { sessionPolicy: { highAssurance: { action: "stepUp" } } } : {}),
      ...(kind === "site" ? { sites: ["partners"] } : {}),
    });
  }

  const headOffice = generated.entries.slice(0, Math.max(1, Math.min(5, generated.entries.length)));
  const networkDocs = [
    { kind: "Network", name: "corporate", ranges: generated.entries },
    { kind: "Network", name: "head-office", ranges: headOffice },
    {
      kind: "Network",
      name: "partner-vpn",
      ranges: [formatPrefix({ family: 4, value: PARTNER_VPN[4].first, length: 15 }), "2001:db8:beef::/48"],
    },
    ...(spec.feed
      ? [{ kind: "Network", name: "provider", ranges: [{ feed: { file: "feeds/provider-ip-ranges.json" } }] }]
      : []),
  ];
  const org = {
    kind: "Org",
    name: "bench",
    edition: "Enterprise",
    apiAccessControl: { allowlistedAppsOnly: true, customersAndPartnersInstalledAppsOnly: true },
    session: { enforceLoginIpRangesEveryRequest: true, lockSessionsToIp: true },
    trustedIpRanges: [{ network: "head-office" }],
  };

  const files = new Map<string, string>([
    ["org.yaml", yamlDocs([org])],
    ["networks.yaml", yamlDocs(networkDocs)],
    ["profiles.yaml", yamlDocs(profileDocs)],
    ["permission-sets.yaml", yamlDocs(permissionSetDocs)],
    ["apps.yaml", yamlDocs(appDocs)],
    [
      "sites.yaml",
      yamlDocs([
        { kind: "Site", name: "partners" },
        { kind: "Site", name: "customers" },
      ]),
    ],
  ]);
  if (spec.feed) files.set("feeds/provider-ip-ranges.json", feed!.text);

  return {
    files,
    model: {
      spec,
      apps,
      appsByKind,
      profilesByRole,
      anyClientPermissionSet: anyClient,
      accessPermissionSets: access,
      site: "partners",
      loginRanges: login,
      partnerVpn: spanSets({ 4: [PARTNER_VPN[4]], 6: [PARTNER_VPN[6]] }),
      rangeForms: generated.forms,
    },
  };
}
