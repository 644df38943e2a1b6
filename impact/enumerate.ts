/**
 * The exact enumeration of requests that can decide differently between two versions. A request
 * reads the org settings, its profile, its app (by client id), its permission sets and the
 * address sets these name; when none of those differs between the versions (ignoring where they
 * are written), both versions decide it alike. So only (profile, app) pairs whose data differ, or
 * whose permission-set classes differ, are enumerated, and inside each pair every dimension is
 * cut into the classes the policy can tell apart: one request per class.
 */
import { formatAddress } from "../core/address.js";
import { compareText } from "../compiler/diagnostics/diagnostic.js";
import { APPLESS_GRANTS, EXTERNAL_USER_TYPES, GRANTS, USER_TYPES } from "../compiler/emit/lib-tables.js";
import type { IrConnectedApp } from "../compiler/lower/ir.js";
import { permissionClasses, symmetric, type Grantor, type PermissionClass } from "./permission-classes.js";
import { addressClasses, spansOf, type AddressClass, type AddressSpan } from "./regions.js";
import { requestUser, type UserGrantors } from "./user-grantors.js";
import type { VersionIndex } from "./version.js";
import { withoutPlace } from "./version.js";

/** Requests through one app in both versions: one client id stands for all of them. */
export interface AppClass {
  /** The client id the requests carry; null for a request without a connected app. */
  readonly clientId: string | null;
  /** Every declared client id the class stands for (empty for none or an unknown one). */
  readonly clientIds: readonly string[];
  readonly baseName?: string;
  readonly headName?: string;
}

/** User types the policy cannot tell apart, and the one the requests carry. */
export interface UserTypeClass {
  readonly label: string;
  readonly userTypes: readonly string[];
}

/** The request fields that matter only for some apps and settings. */
export interface Variant {
  readonly originIpSame?: true;
  readonly highAssurance?: true;
  readonly identityVerified?: true;
  readonly site?: string;
  readonly priorAuthorization?: true;
}

/** One class of requests: every field fixed, the address standing for its whole region. */
export interface RequestClass extends UserGrantors {
  readonly app: AppClass;
  readonly userType: UserTypeClass;
  readonly channel: "api" | "ui";
  readonly grant: string;
  readonly login: boolean;
  readonly variant: Variant;
  /** The addresses the class stands for; requests carry its representative. */
  readonly region: AddressClass;
}

/** The classes of one (profile, app) pair. */
export interface PairPlan {
  readonly profile: string;
  readonly app: AppClass;
  readonly permissionClasses: readonly PermissionClass[];
  /** User-type classes on the API channel (on the UI every user type decides alike). */
  readonly userTypes: readonly UserTypeClass[];
  readonly variants: readonly Variant[];
  /** The address regions a request reads, by whether it reads the profile's ranges, the app's, the org's. */
  readonly regions: (reads: AddressReads) => readonly AddressClass[];
  /** How many classes `classesOf` yields. */
  readonly size: number;
}

/** Which address sets a request can read (docs/semantics.md §4.8 and the notes). */
export interface AddressReads {
  /** The profile's login IP ranges: checked at login, on every request when the org says so, or for refresh_token. */
  readonly profile: boolean;
  /** The app's trusted ranges: only to relax the login IP ranges, for web_server. */
  readonly app: boolean;
  /** The org's trusted ranges: only for the notes of a login. */
  readonly org: boolean;
}

/** What will be decided, and what was left out and why. */
export interface EnumerationPlan {
  readonly pairs: ReadonlyArray<PairPlan & { readonly everyRequest: boolean }>;
  /** Every (profile, app) pair considered: declared profiles of both versions and one undeclared, × app classes. */
  readonly pairsConsidered: number;
  /** Pairs skipped because nothing they read differs between the versions. */
  readonly pairsUnchanged: number;
  /** Classes planned (the sum of the pairs' sizes). */
  readonly size: number;
  /** Pairs not decided because the limit was reached (empty when the enumeration is complete). */
  readonly bounded: ReadonlyArray<{ readonly profile: string; readonly app: AppClass; readonly size: number }>;
  readonly limit: number;
}

/** The default most classes decided in one diff. */
export const DEFAULT_CLASS_LIMIT = 5_000_000;

function unusedName(base: string, taken: (name: string) => boolean): string {
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base} ${i}`;
  return name;
}

function appKey(app: IrConnectedApp | undefined): string {
  if (app === undefined) return "absent";
  const { clientIds: _ids, ...rest } = app;
  return withoutPlace(rest);
}

/** App classes: client ids grouped by the app they name in each version, an unknown one, and none. */
function appClasses(base: VersionIndex, head: VersionIndex): AppClass[] {
  const groups = new Map<string, { clientIds: string[]; baseName?: string; headName?: string }>();
  const ids = [...new Set([...base.apps.keys(), ...head.apps.keys()])].sort(compareText);
  for (const id of ids) {
    const b = base.apps.get(id)?.name;
    const h = head.apps.get(id)?.name;
    const key = JSON.stringify([b ?? null, h ?? null]);
    const group = groups.get(key) ?? { clientIds: [], ...(b ? { baseName: b } : {}), ...(h ? { headName: h } : {}) };
    group.clientIds.push(id);
    groups.set(key, group);
  }
  const unknown = unusedName("unknown-client-id", (n) => base.apps.has(n) || head.apps.has(n));
  return [
    ...[...groups.values()].map((g) => ({ ...g, clientId: g.clientIds[0]! })),
    { clientId: unknown, clientIds: [] },
    { clientId: null, clientIds: [] },
  ];
}

/** On the UI channel the policy reads no user type (guest and external checks are API-only). */
const ANY_USER_TYPE: UserTypeClass = { label: "any user type", userTypes: [...USER_TYPES] };

/** User-type classes on the API: guests always apart; customers and partners apart when their control is on. */
function userTypeClasses(base: VersionIndex, head: VersionIndex): UserTypeClass[] {
  const external = new Set<string>(EXTERNAL_USER_TYPES);
  const others = USER_TYPES.filter((t) => t !== "Guest" && !external.has(t));
  if (base.org.customersAndPartnersInstalledAppsOnly || head.org.customersAndPartnersInstalledAppsOnly)
    return [
      { label: "internal users", userTypes: others },
      { label: "customers and partners", userTypes: [...EXTERNAL_USER_TYPES] },
      { label: "guests", userTypes: ["Guest"] },
    ];
  return [
    { label: "any user but guests", userTypes: USER_TYPES.filter((t) => t !== "Guest") },
    { label: "guests", userTypes: ["Guest"] },
  ];
}

/** The variants of session, site and prior authorization that the two versions of `apps` can tell apart. */
function variantsOf(
  base: VersionIndex,
  head: VersionIndex,
  apps: ReadonlyArray<IrConnectedApp | undefined>,
): Variant[] {
  const present = apps.filter((a): a is IrConnectedApp => a !== undefined);
  const dims: Variant[][] = [];
  if (base.org.lockSessionsToIp || head.org.lockSessionsToIp) dims.push([{}, { originIpSame: true }]);
  if (present.some((a) => a.highAssurance !== null)) dims.push([{}, { highAssurance: true }]);
  if (present.some((a) => a.ipRelaxation === "BYPASS_2FACTOR" && a.trustedIpRanges === null))
    dims.push([{}, { identityVerified: true }]);
  const sites = [...new Set(present.flatMap((a) => a.sites ?? []))].sort(compareText);
  if (sites.length > 0) dims.push([{}, ...sites.map((site) => ({ site }))]);
  if (present.some((a) => !a.installed)) dims.push([{}, { priorAuthorization: true }]);
  return dims.reduce<Variant[]>((acc, dim) => acc.flatMap((v) => dim.map((d) => ({ ...v, ...d }))), [{}]);
}

/** Whether a variant can matter for a request with these fields (the others are the plain variant). */
function variantApplies(v: Variant, userType: UserTypeClass, channel: string, grant: string, login: boolean): boolean {
  if (v.originIpSame && login) return false;
  if (v.identityVerified && grant !== "web_server") return false;
  if (
    v.site !== undefined &&
    (channel !== "api" || !userType.userTypes.some((t) => (EXTERNAL_USER_TYPES as readonly string[]).includes(t)))
  )
    return false;
  return true;
}

function grantsFor(app: AppClass): readonly string[] {
  return app.clientId === null ? APPLESS_GRANTS : GRANTS;
}

interface Shape {
  readonly permissionClass: PermissionClass;
  readonly userType: UserTypeClass;
  readonly channel: "api" | "ui";
  readonly grant: string;
  readonly login: boolean;
  readonly variant: Variant;
  readonly regions: readonly AddressClass[];
}

/** Every combination of a pair's fields but the address, with the address regions it reads. */
function* shapesOf(pair: Omit<PairPlan, "size">, everyRequest: boolean): Generator<Shape> {
  for (const permissionClass of pair.permissionClasses)
    for (const channel of ["api", "ui"] as const)
      for (const userType of channel === "api" ? pair.userTypes : [ANY_USER_TYPE])
        for (const grant of grantsFor(pair.app))
          for (const login of [true, false]) {
            const profile = login || everyRequest || grant === "refresh_token";
            const regions = pair.regions({ profile, app: profile && grant === "web_server", org: login });
            for (const variant of pair.variants) {
              if (!variantApplies(variant, userType, channel, grant, login)) continue;
              yield { permissionClass, userType, channel, grant, login, variant, regions };
            }
          }
}

/** Every request class of a pair, in a fixed order. */
export function* classesOf(pair: PairPlan & { readonly everyRequest: boolean }): Generator<RequestClass> {
  for (const shape of shapesOf(pair, pair.everyRequest))
    for (const region of shape.regions)
      yield {
        profile: pair.profile,
        permissionSets: shape.permissionClass.permissionSets,
        permissionSetGroups: shape.permissionClass.permissionSetGroups,
        app: pair.app,
        userType: shape.userType,
        channel: shape.channel,
        grant: shape.grant,
        login: shape.login,
        variant: shape.variant,
        region,
      };
}

function pairSize(pair: Omit<PairPlan, "size">, everyRequest: boolean): number {
  let n = 0;
  for (const shape of shapesOf(pair, everyRequest)) n += shape.regions.length;
  return n;
}

/** The request a class stands for, as the runtime takes it. */
export function requestOf(c: RequestClass): Record<string, unknown> {
  const address = formatAddress(c.region.family, c.region.representative);
  const session = {
    ...(c.variant.originIpSame ? { originIp: address } : {}),
    ...(c.variant.highAssurance ? { highAssurance: true } : {}),
    ...(c.variant.identityVerified ? { identityVerified: true } : {}),
  };
  return {
    user: requestUser(c, c.userType.userTypes[0]),
    app: c.app.clientId === null ? null : { clientId: c.app.clientId },
    channel: c.channel,
    grant: c.grant,
    sourceIp: address,
    login: c.login,
    ...(Object.keys(session).length > 0 ? { session } : {}),
    ...(c.variant.site !== undefined ? { site: c.variant.site } : {}),
    ...(c.variant.priorAuthorization ? { priorAuthorization: true } : {}),
  };
}

/** Plans the enumeration for two versions; pairs past `limit` classes are listed, not planned. */
export function planEnumeration(
  base: VersionIndex,
  head: VersionIndex,
  limit: number = DEFAULT_CLASS_LIMIT,
): EnumerationPlan {
  const declared = [...new Set([...base.profiles.keys(), ...head.profiles.keys()])].sort(compareText);
  const undeclared = unusedName("undeclared profile", (n) => base.profiles.has(n) || head.profiles.has(n));
  const profiles = [...declared, undeclared];
  const apps = appClasses(base, head);
  const userTypes = userTypeClasses(base, head);
  const names = (m: (v: VersionIndex) => ReadonlyMap<string, unknown>): string[] =>
    [...new Set([...m(base).keys(), ...m(head).keys()])].sort(compareText);
  const grantors: Grantor[] = [
    ...names((v) => v.permissionSets).map((name) => ({ kind: "set" as const, name })),
    ...names((v) => v.permissionSetGroups).map((name) => ({ kind: "group" as const, name })),
  ];
  const orgChanged = withoutPlace(base.org) !== withoutPlace(head.org);
  const everyRequest = base.org.enforceLoginIpRangesEveryRequest || head.org.enforceLoginIpRangesEveryRequest;
  const pairs: Array<PairPlan & { everyRequest: boolean }> = [];
  const bounded: Array<{ profile: string; app: AppClass; size: number }> = [];
  let unchanged = 0;
  let size = 0;
  const changedProfiles = profiles.filter(
    (p) => withoutPlace(base.profiles.get(p)) !== withoutPlace(head.profiles.get(p)),
  );
  // Address classes by the address sets they are cut from: profiles and apps share their sets.
  const cache = new Map<string, AddressClass[]>();
  for (const app of apps) {
    const baseApp = app.clientId === null ? undefined : base.apps.get(app.clientId);
    const headApp = app.clientId === null ? undefined : head.apps.get(app.clientId);
    const appChanged = appKey(baseApp) !== appKey(headApp);
    const allClasses = permissionClasses(grantors, base, head, baseApp, headApp);
    const asymmetric = allClasses.filter((c) => !symmetric(c.signature));
    const variants = variantsOf(base, head, [baseApp, headApp]);
    // With nothing of the org, the app or the grantors changed, only changed profiles can differ.
    const candidates = orgChanged || appChanged || asymmetric.length > 0 ? profiles : changedProfiles;
    unchanged += profiles.length - candidates.length;
    for (const profile of candidates) {
      const bp = base.profiles.get(profile);
      const hp = head.profiles.get(profile);
      const changed = orgChanged || appChanged || changedProfiles.includes(profile);
      const classes = changed ? allClasses : asymmetric;
      if (classes.length === 0) {
        unchanged++;
        continue;
      }
      // Each version's set apart: a class is one membership in every one of them.
      const spans = (ids: ReadonlyArray<string | null | undefined>): AddressSpan[][] =>
        ids.flatMap((id) => {
          const set = id === undefined || id === null ? undefined : (base.addressSet(id) ?? head.addressSet(id));
          return set ? [spansOf(set)] : [];
        });
      const profileSpans = spans([bp?.loginIpRanges, hp?.loginIpRanges]);
      const appSpans = spans([baseApp?.trustedIpRanges, headApp?.trustedIpRanges]);
      const orgSpans = spans([base.org.trustedIpRanges, head.org.trustedIpRanges]);
      const setIds = (ids: ReadonlyArray<string | null | undefined>): string => ids.map((id) => id ?? "-").join(",");
      const regions = (reads: AddressReads): AddressClass[] => {
        const key = [
          reads.profile ? setIds([bp?.loginIpRanges, hp?.loginIpRanges]) : "",
          reads.app ? setIds([baseApp?.trustedIpRanges, headApp?.trustedIpRanges]) : "",
          reads.org ? setIds([base.org.trustedIpRanges, head.org.trustedIpRanges]) : "",
        ].join("|");
        let found = cache.get(key);
        if (!found) {
          found = addressClasses([
            ...(reads.profile ? profileSpans : []),
            ...(reads.app ? appSpans : []),
            ...(reads.org ? orgSpans : []),
          ]);
          cache.set(key, found);
        }
        return found;
      };
      const plan = { profile, app, permissionClasses: classes, userTypes, variants, regions, everyRequest };
      const n = pairSize(plan, everyRequest);
      if (size + n > limit) {
        bounded.push({ profile, app, size: n });
        continue;
      }
      size += n;
      pairs.push({ ...plan, size: n });
    }
  }
  return { pairs, pairsConsidered: profiles.length * apps.length, pairsUnchanged: unchanged, size, bounded, limit };
}
