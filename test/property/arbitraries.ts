/**
 * Random policy sets and requests for the three-way agreement test. Everything is drawn from
 * small pools (a handful of profiles, apps, sites and a few dozen addresses) so that random
 * requests actually meet the declarations, and every arbitrary shrinks without context (no
 * `.map`), so a failure is reported as a minimal counterexample.
 */
import fc from "fast-check";

const PERMISSIONS = ["ApiEnabled", "ApiUserOnly", "UseAnyApiClient", "ApproveUninstalledConnectedApps"] as const;
const RELAXATIONS = ["ENFORCE", "ENFORCE_RELAXREFRESH", "BYPASS_2FACTOR", "BYPASS"] as const;
/** Every user type of the request schema. */
export const USER_TYPES = [
  "Standard",
  "PowerPartner",
  "PowerCustomerSuccess",
  "CustomerSuccess",
  "CspLitePortal",
  "Guest",
  "CsnOnly",
] as const;
/** Every grant of the request schema. */
export const GRANTS = [
  "web_server",
  "user_agent",
  "refresh_token",
  "jwt_bearer",
  "saml_bearer",
  "client_credentials",
  "device",
  "password",
  "soap_login",
  "token_exchange",
  "session",
] as const;

/** Addresses requests come from, in several spellings, all inside or next to the range pool. */
export const ADDRESSES = [
  "10.0.0.0",
  "10.0.0.1",
  "10.0.0.5",
  "10.0.0.7",
  "10.0.0.8",
  "10.0.1.0",
  "10.255.255.255",
  "11.0.0.0",
  "192.0.2.1",
  "192.0.2.200",
  "::ffff:10.0.0.5",
  "::FFFF:a00:8",
  "0:0:0:0:0:ffff:192.0.2.1",
  "::10.0.0.5",
  "2001:db8::",
  "2001:db8::1",
  "2001:DB8::7",
  "2001:db8::8",
  "2001:db8:0:0:1::",
  "2001:db9::",
  "::",
  "::1",
] as const;

/** Strings that look like addresses and are not. */
export const BAD_ADDRESSES = [
  "010.0.0.1",
  "10.0.0",
  "10.0.0.256",
  "2001:db8:::1",
  "fe80::1%eth0",
  " 10.0.0.1",
  "0x0a.0.0.1",
  "167772161",
  "",
] as const;

/** Range entries as an admin writes them: CIDRs, start–end pairs (some in mapped form) and hosts. */
export const RANGES = [
  "10.0.0.0/8",
  "10.0.0.0/29",
  "10.0.0.4/30",
  "10.0.0.8/32",
  "192.0.2.0/24",
  "0.0.0.0/0",
  "2001:db8::/125",
  "2001:db8::/32",
  "2001:db8::8",
  "::/0",
  "::ffff:10.0.0.0/125",
  { start: "10.0.0.3", end: "10.0.0.9" },
  { start: "10.0.0.1", end: "10.0.0.1" },
  { start: "::ffff:10.0.0.6", end: "10.0.1.0" },
  { start: "2001:db8::2", end: "2001:db8::7" },
  { start: "192.0.2.100", end: "192.0.2.255" },
] as const;

const subset = <T>(values: readonly T[]): fc.Arbitrary<T[]> => fc.subarray([...values]);
const ranges = fc.subarray([...RANGES], { maxLength: 3 });

/** True with about `percent`% probability; shrinks towards `false`. */
const chance = (percent: number): fc.Arbitrary<boolean> =>
  fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(false) }, { weight: percent, arbitrary: fc.constant(true) });

/** Permissions, biased so that most users may call APIs and few bypass the controls. */
const permissions = fc.record({
  ApiEnabled: chance(85),
  ApiUserOnly: chance(30),
  UseAnyApiClient: chance(10),
  ApproveUninstalledConnectedApps: chance(15),
});

/** Each permission whose flag is set. */
export function permissionList(flags: Readonly<Record<string, boolean>>): string[] {
  return PERMISSIONS.filter((p) => flags[p] === true);
}

/** A rarely taken alternative: `common` almost always, `rare` about one time in `odds`. */
const rarely = <T>(common: fc.Arbitrary<T>, rare: fc.Arbitrary<T>, odds: number): fc.Arbitrary<T> =>
  fc.oneof({ weight: odds - 1, arbitrary: common }, { weight: 1, arbitrary: rare });

/** A generated policy set, as plain data to render into YAML. */
export interface GenPolicy {
  readonly org: { allowlist: boolean; customers: boolean; everyRequest: boolean; lock: boolean; trusted: unknown[] };
  readonly profiles: Array<{ permissions: Record<string, boolean>; ranges: unknown[] | null }>;
  readonly permissionSets: Array<Record<string, boolean>>;
  /** Permission set groups G0, G1: members among S0–S2 (at least one) and muted permissions. */
  readonly groups: Array<{ members: number[]; muted: Record<string, boolean> }>;
  readonly apps: Array<{
    present: boolean;
    installed: boolean;
    blocked: boolean;
    adminApproved: boolean;
    profiles: number[];
    permissionSets: number[];
    relaxation: string;
    trusted: unknown[];
    highAssurance: string;
    sites: number[] | null;
  }>;
}

/** Muted permissions: mostly none, sometimes one that matters. */
const muted = fc.record({
  ApiEnabled: chance(25),
  ApiUserOnly: chance(25),
  UseAnyApiClient: chance(40),
  ApproveUninstalledConnectedApps: chance(25),
});

/** A policy set: the org, three profiles, three permission sets, two groups, four apps (some absent), two sites. */
export const policyArb: fc.Arbitrary<GenPolicy> = fc.record({
  org: fc.record({
    allowlist: chance(30),
    customers: chance(30),
    everyRequest: chance(30),
    lock: chance(20),
    trusted: ranges,
  }),
  profiles: fc.tuple(
    fc.record({ permissions, ranges: fc.option(ranges, { nil: null }) }),
    fc.record({ permissions, ranges: fc.option(ranges, { nil: null }) }),
    fc.record({ permissions, ranges: fc.option(ranges, { nil: null }) }),
  ),
  permissionSets: fc.tuple(permissions, permissions, permissions),
  groups: fc.tuple(
    fc.record({ members: fc.subarray([0, 1, 2], { minLength: 1 }), muted }),
    fc.record({ members: fc.subarray([0, 1, 2], { minLength: 1 }), muted }),
  ),
  apps: fc.array(
    fc.record({
      present: chance(85),
      installed: chance(85),
      blocked: chance(10),
      adminApproved: chance(50),
      profiles: subset([0, 1, 2]),
      permissionSets: subset([0, 1, 2]),
      relaxation: fc.constantFrom(...RELAXATIONS),
      trusted: ranges,
      highAssurance: rarely(fc.constant("none"), fc.constantFrom("block", "stepUp"), 4),
      sites: fc.option(fc.subarray([0, 1], { minLength: 1 }), { nil: null, freq: 3 }),
    }),
    { minLength: 4, maxLength: 4 },
  ),
});

/** The YAML of a generated policy set (one file, many documents). */
export function policyYaml(p: GenPolicy, stringify: (v: unknown) => string): string {
  const docs: unknown[] = [
    {
      kind: "Org",
      name: "org",
      apiAccessControl: {
        allowlistedAppsOnly: p.org.allowlist,
        customersAndPartnersInstalledAppsOnly: p.org.customers,
      },
      session: { enforceLoginIpRangesEveryRequest: p.org.everyRequest, lockSessionsToIp: p.org.lock },
      trustedIpRanges: p.org.trusted,
    },
    { kind: "Site", name: "s0" },
    { kind: "Site", name: "s1" },
    ...p.profiles.map((pr, i) => ({
      kind: "Profile",
      name: `P${i}`,
      permissions: permissionList(pr.permissions),
      ...(pr.ranges === null ? {} : { loginIpRanges: pr.ranges }),
    })),
    ...p.permissionSets.map((perms, i) => ({
      kind: "PermissionSet",
      name: `S${i}`,
      permissions: permissionList(perms),
    })),
    ...p.groups.map((g, i) => ({
      kind: "PermissionSetGroup",
      name: `G${i}`,
      permissionSets: g.members.map((n) => `S${n}`),
      mutingPermissions: permissionList(g.muted),
    })),
    ...p.apps.flatMap((a, i) =>
      a.present
        ? [
            {
              kind: "ConnectedApp",
              name: `app${i}`,
              clientIds: [`c${i}`],
              installed: a.installed,
              blocked: a.blocked,
              permittedUsers: a.adminApproved ? "adminApproved" : "selfAuthorize",
              profiles: a.profiles.map((n) => `P${n}`),
              permissionSets: a.permissionSets.map((n) => `S${n}`),
              ipRelaxation: a.relaxation,
              trustedIpRanges: a.trusted,
              ...(a.highAssurance === "none" ? {} : { sessionPolicy: { highAssurance: { action: a.highAssurance } } }),
              ...(a.sites === null ? {} : { sites: a.sites.map((n) => `s${n}`) }),
            },
          ]
        : [],
    ),
  ];
  return docs.map((d) => stringify(d)).join("---\n");
}

const address = rarely(fc.constantFrom(...ADDRESSES), fc.constantFrom(...BAD_ADDRESSES), 40);

/** A mostly valid request over the pools, sometimes broken in one way. */
export const requestArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    user: fc.record(
      {
        id: rarely(fc.constant("005a"), fc.constant(""), 40),
        userType: rarely(fc.constantFrom(...USER_TYPES), fc.constantFrom("standard", "SelfService"), 60),
        profile: rarely(fc.constantFrom("P0", "P1", "P2"), fc.constant("P3"), 12),
        permissionSets: fc.subarray(["S0", "S1", "S9"]),
        permissionSetGroups: rarely<unknown>(fc.subarray(["G0", "G1", "G9"]), fc.constantFrom([""], "G0", [1]), 40),
      },
      { requiredKeys: ["userType", "profile"] },
    ),
    app: rarely(
      fc.record({ clientId: rarely(fc.constantFrom("c0", "c1", "c2", "c3"), fc.constant("c4"), 10) }),
      fc.constant(null),
      10,
    ),
    channel: rarely(fc.constantFrom("api", "ui"), fc.constant("API"), 60),
    grant: rarely(fc.constantFrom(...GRANTS), fc.constant("implicit"), 60),
    sourceIp: address,
    login: rarely<boolean | string>(fc.boolean(), fc.constant("yes"), 60),
    session: fc.record(
      { originIp: address, highAssurance: fc.boolean(), identityVerified: fc.boolean() },
      { requiredKeys: [] },
    ),
    site: fc.constantFrom("s0", "s1", "s9"),
    priorAuthorization: fc.boolean(),
  },
  { requiredKeys: ["user", "app", "channel", "grant", "sourceIp", "login"] },
);

/** Now and then, an unknown field to add to a request. */
export const unknownFieldArb: fc.Arbitrary<boolean> = fc.oneof(
  { weight: 40, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);
