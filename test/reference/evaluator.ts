/**
 * A reference evaluator written directly from docs/semantics.md §3–§4: the oracle the compiled
 * policy is tested against. It works on the validated model (not the IR or data.json), matches
 * addresses by scanning ranges (not prefix tables) and validates requests by hand (not with the
 * JSON Schema), so that it shares as little as possible with the code under test. It is a test
 * oracle, not product code, and it does not produce messages: it decides codes and sources.
 */
import { parseAddress, type IpAddress } from "../../core/address.js";
import type { AddressRange, ConnectedAppModel, PolicySet, ProfileModel } from "../../compiler/validate/model.js";

/** A reference decision: what the policy must decide, without messages. */
export interface ReferenceDecision {
  readonly allow: boolean;
  readonly reasons: ReadonlyArray<{ readonly code: string; readonly source: Source | null }>;
  readonly notes: readonly string[];
}

/** The declaration a reason cites. */
export interface Source {
  readonly kind: string;
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

const USER_TYPES = [
  "Standard",
  "PowerPartner",
  "PowerCustomerSuccess",
  "CustomerSuccess",
  "CspLitePortal",
  "Guest",
  "CsnOnly",
];
const EXTERNAL = ["PowerPartner", "PowerCustomerSuccess", "CustomerSuccess", "CspLitePortal"];
const GRANTS = [
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
];
const APPLESS = ["password", "soap_login", "session"];
const NEVER_RELAXED = ["jwt_bearer", "saml_bearer", "password", "soap_login", "session"];
const INTERACTIVE_GRANTS = ["web_server", "user_agent", "device"];

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A name or id: a string of 1–255 characters (counted as code points, as JSON Schema does). */
function isName(v: unknown): boolean {
  if (typeof v !== "string") return false;
  const length = [...v].length;
  return length >= 1 && length <= 255;
}

function isAddress(v: unknown): boolean {
  return typeof v === "string" && parseAddress(v).ok;
}

function onlyKeys(o: Json, allowed: readonly string[]): boolean {
  return Object.keys(o).every((k) => allowed.includes(k));
}

function has(o: Json, k: string): boolean {
  return Object.hasOwn(o, k);
}

/** Whether a request matches the contract of docs/semantics.md §3. */
export function isValidRequest(r: unknown): boolean {
  if (!isObject(r)) return false;
  if (!onlyKeys(r, ["user", "app", "channel", "grant", "sourceIp", "login", "session", "site", "priorAuthorization"]))
    return false;
  for (const k of ["user", "app", "channel", "grant", "sourceIp", "login"]) if (!has(r, k)) return false;
  const user = r.user;
  if (!isObject(user) || !onlyKeys(user, ["id", "userType", "profile", "permissionSets", "permissionSetGroups"]))
    return false;
  if (!has(user, "userType") || !USER_TYPES.includes(user.userType as string)) return false;
  if (!has(user, "profile") || !isName(user.profile)) return false;
  if (has(user, "id") && !isName(user.id)) return false;
  if (has(user, "permissionSets") && !(Array.isArray(user.permissionSets) && user.permissionSets.every(isName)))
    return false;
  if (
    has(user, "permissionSetGroups") &&
    !(Array.isArray(user.permissionSetGroups) && user.permissionSetGroups.every(isName))
  )
    return false;
  if (
    r.app !== null &&
    !(isObject(r.app) && onlyKeys(r.app, ["clientId"]) && has(r.app, "clientId") && isName(r.app.clientId))
  )
    return false;
  if (r.channel !== "api" && r.channel !== "ui") return false;
  if (typeof r.grant !== "string" || !GRANTS.includes(r.grant)) return false;
  if (!isAddress(r.sourceIp)) return false;
  if (typeof r.login !== "boolean") return false;
  if (has(r, "session")) {
    const s = r.session;
    if (!isObject(s) || !onlyKeys(s, ["originIp", "highAssurance", "identityVerified"])) return false;
    if (has(s, "originIp") && !isAddress(s.originIp)) return false;
    if (has(s, "highAssurance") && typeof s.highAssurance !== "boolean") return false;
    if (has(s, "identityVerified") && typeof s.identityVerified !== "boolean") return false;
  }
  if (has(r, "site") && !isName(r.site)) return false;
  if (has(r, "priorAuthorization") && typeof r.priorAuthorization !== "boolean") return false;
  if (r.app === null && !APPLESS.includes(r.grant)) return false;
  return true;
}

function inRanges(addr: IpAddress, ranges: readonly AddressRange[]): boolean {
  return ranges.some((r) => r.family === addr.family && r.first <= addr.value && addr.value <= r.last);
}

function sameAddress(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

function src(d: { source: { kind: string; name: string; file: string; line: number } }): Source {
  return { kind: d.source.kind, name: d.source.name, file: d.source.file, line: d.source.line };
}

/** Decides `request` against `policy` exactly as docs/semantics.md §4 says. */
export function referenceDecide(policy: PolicySet, request: unknown): ReferenceDecision {
  if (!isValidRequest(request)) return { allow: false, reasons: [{ code: "INPUT_INVALID", source: null }], notes: [] };
  const r = request as {
    user: { userType: string; profile: string; permissionSets?: string[]; permissionSetGroups?: string[] };
    app: { clientId: string } | null;
    channel: "api" | "ui";
    grant: string;
    sourceIp: string;
    login: boolean;
    session?: { originIp?: string; highAssurance?: boolean; identityVerified?: boolean };
    site?: string;
    priorAuthorization?: boolean;
  };
  const profile: ProfileModel | undefined = policy.profiles.get(r.user.profile);
  if (!profile) return { allow: false, reasons: [{ code: "PROFILE_UNKNOWN", source: null }], notes: [] };

  const permissionSets = r.user.permissionSets ?? [];
  const permissions = new Set<string>(profile.permissions);
  for (const name of permissionSets)
    for (const p of policy.permissionSets.get(name)?.permissions ?? []) permissions.add(p);
  // §3: each group grants its members' union minus its muted permissions; an unknown group grants nothing.
  const groups = (r.user.permissionSetGroups ?? []).flatMap((name) => {
    const group = policy.permissionSetGroups.get(name);
    return group ? [group] : [];
  });
  for (const group of groups) {
    const granted = new Set<string>();
    for (const member of group.permissionSets)
      for (const p of policy.permissionSets.get(member)?.permissions ?? []) granted.add(p);
    for (const p of group.mutingPermissions) granted.delete(p);
    for (const p of granted) permissions.add(p);
  }
  // §4.6: a member of one of the user's groups assigns like the user's own permission set.
  const assigningSets = [...permissionSets, ...groups.flatMap((g) => g.permissionSets)];
  const can = (p: string): boolean => permissions.has(p);

  const app: ConnectedAppModel | undefined =
    r.app === null ? undefined : [...policy.apps.values()].find((a) => a.clientIds.includes(r.app!.clientId));
  const hasApp = r.app !== null;
  const external = EXTERNAL.includes(r.user.userType);
  const interactive = r.channel === "ui" || INTERACTIVE_GRANTS.includes(r.grant);
  const assigned =
    app !== undefined &&
    (app.profiles.includes(r.user.profile) || assigningSets.some((n) => app.permissionSets.includes(n)));
  const addr = (parseAddress(r.sourceIp) as { ok: true; value: IpAddress }).value;
  const org = policy.org;

  const reasons: Array<{ code: string; source: Source | null }> = [];
  const deny = (code: string, source: Source | null): void => {
    reasons.push({ code, source });
  };

  // 3–5
  if (r.channel === "ui" && can("ApiUserOnly")) deny("API_ONLY_USER_UI_DENIED", src(profile));
  if (r.channel === "api" && !can("ApiEnabled")) deny("API_NOT_ENABLED", src(profile));
  if (r.channel === "api" && r.user.userType === "Guest") deny("GUEST_API_DENIED", src(profile));

  // 6: API access control
  if (r.channel === "api" && !can("UseAnyApiClient")) {
    if (org.allowlistedAppsOnly && !hasApp) deny("AAC_NO_CONNECTED_APP", src(org));
    if (org.allowlistedAppsOnly && hasApp) {
      const ok =
        app !== undefined && app.installed && app.adminApproved && (r.grant === "client_credentials" || assigned);
      if (!ok) deny("AAC_APP_NOT_ALLOWLISTED", src(org));
    }
    if (org.customersAndPartnersInstalledAppsOnly && external) {
      const inSite = app?.sites === undefined || (r.site !== undefined && app.sites.includes(r.site));
      const ok = app !== undefined && app.installed && !app.blocked && inSite;
      if (!ok) deny("AAC_EXTERNAL_APP_NOT_INSTALLED", src(org));
    }
  }

  // 7: the app
  if (hasApp) {
    if (!app) {
      deny("APP_UNKNOWN", null);
    } else {
      if (app.blocked) deny("APP_BLOCKED", src(app));
      if (
        !app.installed &&
        !can("ApproveUninstalledConnectedApps") &&
        (r.grant === "device" || r.priorAuthorization !== true)
      )
        deny("APP_UNINSTALLED", src(app));
      if (app.adminApproved && r.grant !== "client_credentials" && !assigned && !can("UseAnyApiClient"))
        deny("APP_USER_NOT_APPROVED", src(app));
    }
    if (r.grant === "client_credentials" && !can("ApiUserOnly")) deny("RUN_AS_NOT_API_ONLY", src(profile));
  }

  // 8: login IP ranges
  let relaxedNote = false;
  const hasRanges = profile.loginIpRanges.length > 0;
  if (
    hasRanges &&
    (r.login || org.enforceLoginIpRangesEveryRequest || r.grant === "refresh_token") &&
    !inRanges(addr, profile.loginIpRanges)
  ) {
    let relaxed = false;
    if (r.channel === "api" && app !== undefined && !NEVER_RELAXED.includes(r.grant)) {
      switch (app.ipRelaxation) {
        case "BYPASS":
          relaxed = true;
          break;
        case "ENFORCE_RELAXREFRESH":
          relaxed = r.grant === "refresh_token";
          break;
        case "BYPASS_2FACTOR":
          relaxed =
            r.grant === "web_server" &&
            (app.trustedIpRanges.length > 0
              ? inRanges(addr, app.trustedIpRanges)
              : r.session?.identityVerified === true);
          break;
        case "ENFORCE":
          relaxed = false;
      }
    }
    if (relaxed) relaxedNote = true;
    else deny("IP_OUTSIDE_LOGIN_RANGES", src(profile));
  }

  // 9: session lock
  if (org.lockSessionsToIp && !r.login) {
    const origin =
      r.session?.originIp === undefined
        ? undefined
        : (parseAddress(r.session.originIp) as { ok: true; value: IpAddress }).value;
    if (origin === undefined || !sameAddress(origin, addr)) deny("SESSION_IP_MISMATCH", src(org));
  }

  // 10: high assurance
  if (app?.highAssurance !== undefined && r.session?.highAssurance !== true) {
    deny(app.highAssurance === "stepUp" && interactive ? "STEP_UP_REQUIRED" : "HIGH_ASSURANCE_REQUIRED", src(app));
  }

  const notes: string[] = [];
  if (relaxedNote) notes.push("IP_RESTRICTION_RELAXED");
  const outsideTrusted = !inRanges(addr, org.trustedIpRanges);
  if (r.login && interactive && !hasRanges && outsideTrusted) notes.push("IDENTITY_VERIFICATION_REQUIRED");
  if (
    r.login &&
    (r.grant === "password" || r.grant === "soap_login") &&
    r.channel === "api" &&
    !hasRanges &&
    outsideTrusted
  )
    notes.push("SECURITY_TOKEN_REQUIRED");

  return { allow: reasons.length === 0, reasons, notes };
}
