/**
 * The kinds of request in the benchmark's stream: allowed requests and every deny path of
 * docs/reasons.md, each with the decision it must get and how often it occurs.
 */
import type { IpFamily } from "../../core/address.js";
import type { AddressForm } from "./stream.js";
import type { Random } from "./random.js";
import type { AppKind, BenchApp, SpanSet, TierModel } from "./tiers.js";

export type Json = Record<string, unknown>;

/** What a template gets to build one request. */
export interface Draw {
  readonly random: Random;
  readonly model: TierModel;
  readonly form: AddressForm;
  /** An address inside `set` (the profile's login IP ranges unless said otherwise), in the drawn form. */
  inside(set?: Readonly<Record<IpFamily, SpanSet>>): string;
  /** An address outside the login IP ranges and the partner VPN, in the drawn form. */
  outside(): string;
}

/** One kind of request, the decision it must get, and how often it occurs. */
export interface Template {
  readonly id: string;
  readonly weight: number;
  /** The reason codes the decision must carry, in order (empty: allowed). */
  readonly reasons: readonly string[];
  /** The note codes the decision must carry, in order. */
  readonly notes: readonly string[];
  readonly build: (d: Draw) => Json;
}

function apps(d: Draw, kind: AppKind): readonly BenchApp[] {
  return d.model.appsByKind[kind];
}

function standardOf(d: Draw, app: BenchApp): string {
  return d.random.pick(app.profiles.filter((p) => d.model.profilesByRole.standard.includes(p)));
}

function user(profile: string, extra: Json = {}): Json {
  return { userType: "Standard", profile, ...extra };
}

/** An API call through an app of `kind` by a user assigned to it through a profile, from inside the ranges. */
function assignedCall(d: Draw, kind: AppKind, extra: Json = {}): Json {
  return callThrough(d, d.random.pick(apps(d, kind)), user(""), extra);
}

/** An API web-server login through `app` from inside the ranges; an empty profile means one assigned to the app. */
function callThrough(d: Draw, app: BenchApp, who: Json, extra: Json = {}): Json {
  return {
    user: who.profile === "" ? { ...who, profile: standardOf(d, app) } : who,
    app: { clientId: app.clientId },
    channel: "api",
    grant: "web_server",
    sourceIp: d.inside(),
    login: true,
    ...extra,
  };
}

/** A later call on an existing session: not a login, locked to the address it started from. */
function sessionCall(request: Json): Json {
  return { ...request, login: false, session: { originIp: request.sourceIp } };
}

/** A partner's refresh on a session through an app of the Experience site, naming `site`, from outside the ranges. */
function partnerSessionCall(d: Draw, site: string): Json {
  const app = d.random.pick(apps(d, "site"));
  return sessionCall({
    user: { userType: "PowerPartner", profile: d.random.pick(app.profiles) },
    app: { clientId: app.clientId },
    channel: "api",
    grant: "refresh_token",
    sourceIp: d.outside(),
    site,
  });
}

/**
 * The request templates: allowed requests of several shapes, and one template for every deny
 * path of docs/reasons.md that a policy can produce (EVALUATION_ERROR comes only from the
 * runtime, when a bundle or the WebAssembly fails). The org of every tier turns on every API
 * access control and session setting, so each check is live.
 */
export const TEMPLATES: readonly Template[] = [
  {
    id: "allow: assigned by profile, web server login",
    weight: 14,
    reasons: [],
    notes: [],
    build: (d) => assignedCall(d, "enforce"),
  },
  {
    id: "allow: assigned by permission set, JWT bearer",
    weight: 10,
    reasons: [],
    notes: [],
    build: (d) => {
      const app = d.random.pick(apps(d, "enforce").filter((a) => a.permissionSets.length > 0));
      const outsider = d.model.profilesByRole.standard.find((p) => !app.profiles.includes(p))!;
      return {
        user: user(outsider, { permissionSets: [d.random.pick(app.permissionSets)] }),
        app: { clientId: app.clientId },
        channel: "api",
        grant: "jwt_bearer",
        sourceIp: d.inside(),
        login: true,
      };
    },
  },
  {
    id: "allow: refresh token on a session locked to its address",
    weight: 12,
    reasons: [],
    notes: [],
    build: (d) => sessionCall(assignedCall(d, "enforce", { grant: "refresh_token" })),
  },
  {
    id: "allow: API call on an existing session",
    weight: 14,
    reasons: [],
    notes: [],
    build: (d) => sessionCall(assignedCall(d, "enforce", { grant: "user_agent" })),
  },
  {
    id: "allow: client credentials, API-only run-as user",
    weight: 4,
    reasons: [],
    notes: [],
    build: (d) => {
      const app = d.random.pick(apps(d, "enforce"));
      return {
        user: user(d.random.pick(d.model.profilesByRole.integration)),
        app: { clientId: app.clientId },
        channel: "api",
        grant: "client_credentials",
        sourceIp: d.inside(),
        login: true,
      };
    },
  },
  {
    id: "allow: BYPASS relaxes the ranges (note)",
    weight: 3,
    reasons: [],
    notes: ["IP_RESTRICTION_RELAXED"],
    build: (d) => ({ ...assignedCall(d, "bypass"), sourceIp: d.outside() }),
  },
  {
    id: "allow: ENFORCE_RELAXREFRESH relaxes a refresh (note)",
    weight: 2,
    reasons: [],
    notes: ["IP_RESTRICTION_RELAXED"],
    build: (d) => ({ ...assignedCall(d, "relaxRefresh", { grant: "refresh_token" }), sourceIp: d.outside() }),
  },
  {
    id: "allow: BYPASS_2FACTOR from the app's trusted ranges (note)",
    weight: 2,
    reasons: [],
    notes: ["IP_RESTRICTION_RELAXED"],
    build: (d) => ({ ...assignedCall(d, "twoFactor"), sourceIp: d.inside(d.model.partnerVpn) }),
  },
  {
    id: "allow: partner through an app of its Experience site",
    weight: 3,
    reasons: [],
    notes: [],
    build: (d) => partnerSessionCall(d, d.model.site),
  },
  {
    id: "allow: UI login",
    weight: 3,
    reasons: [],
    notes: [],
    build: (d) => ({
      user: user(d.random.pick(d.model.profilesByRole.standard)),
      app: null,
      channel: "ui",
      grant: "password",
      sourceIp: d.inside(),
      login: true,
    }),
  },
  {
    id: "allow: high-assurance session for a step-up app",
    weight: 2,
    reasons: [],
    notes: [],
    build: (d) => assignedCall(d, "haStepUp", { session: { highAssurance: true } }),
  },
  {
    id: "deny: INPUT_INVALID (address with a leading zero)",
    weight: 1,
    reasons: ["INPUT_INVALID"],
    notes: [],
    build: (d) => ({ ...assignedCall(d, "enforce"), sourceIp: "010.1.2.3" }),
  },
  {
    id: "deny: INPUT_INVALID (enum in another case)",
    weight: 1,
    reasons: ["INPUT_INVALID"],
    notes: [],
    build: (d) => ({ ...assignedCall(d, "enforce"), channel: "API" }),
  },
  {
    id: "deny: PROFILE_UNKNOWN",
    weight: 1,
    reasons: ["PROFILE_UNKNOWN"],
    notes: [],
    build: (d) => ({ ...assignedCall(d, "enforce"), user: user("Sales User (retired)") }),
  },
  {
    id: "deny: API_ONLY_USER_UI_DENIED",
    weight: 1,
    reasons: ["API_ONLY_USER_UI_DENIED"],
    notes: [],
    build: (d) => ({
      user: user(d.random.pick(d.model.profilesByRole.integration)),
      app: null,
      channel: "ui",
      grant: "password",
      sourceIp: d.inside(),
      login: true,
    }),
  },
  {
    id: "deny: API_NOT_ENABLED",
    weight: 1,
    reasons: ["API_NOT_ENABLED"],
    notes: [],
    build: (d) => ({
      user: user(d.model.profilesByRole.noApi[0]!, { permissionSets: [d.model.anyClientPermissionSet] }),
      app: null,
      channel: "api",
      grant: "soap_login",
      sourceIp: d.inside(),
      login: true,
    }),
  },
  {
    id: "deny: GUEST_API_DENIED",
    weight: 1,
    reasons: ["GUEST_API_DENIED"],
    notes: ["SECURITY_TOKEN_REQUIRED"],
    build: (d) => ({
      user: {
        userType: "Guest",
        profile: d.model.profilesByRole.guest[0]!,
        permissionSets: [d.model.anyClientPermissionSet],
      },
      app: null,
      channel: "api",
      grant: "password",
      sourceIp: d.outside(),
      login: true,
    }),
  },
  {
    id: "deny: AAC_NO_CONNECTED_APP",
    weight: 1,
    reasons: ["AAC_NO_CONNECTED_APP"],
    notes: [],
    build: (d) => ({ ...assignedCall(d, "enforce", { grant: "password" }), app: null }),
  },
  {
    id: "deny: AAC_APP_NOT_ALLOWLISTED",
    weight: 1,
    reasons: ["AAC_APP_NOT_ALLOWLISTED"],
    notes: [],
    build: (d) => ({
      ...assignedCall(d, "enforce"),
      app: { clientId: d.random.pick(apps(d, "selfAuthorize")).clientId },
    }),
  },
  {
    id: "deny: AAC_EXTERNAL_APP_NOT_INSTALLED",
    weight: 1,
    reasons: ["AAC_EXTERNAL_APP_NOT_INSTALLED"],
    notes: [],
    build: (d) => partnerSessionCall(d, "customers"),
  },
  {
    id: "deny: APP_UNKNOWN",
    weight: 1,
    reasons: ["APP_UNKNOWN"],
    notes: [],
    build: (d) => ({
      ...assignedCall(d, "enforce"),
      user: user(d.random.pick(d.model.profilesByRole.standard), { permissionSets: [d.model.anyClientPermissionSet] }),
      app: { clientId: "3MVG9-unknown-client" },
    }),
  },
  {
    id: "deny: APP_BLOCKED",
    weight: 1,
    reasons: ["APP_BLOCKED"],
    notes: [],
    build: (d) => assignedCall(d, "blocked"),
  },
  {
    id: "deny: APP_UNINSTALLED",
    weight: 1,
    reasons: ["APP_UNINSTALLED"],
    notes: [],
    build: (d) => assignedCall(d, "uninstalled", { channel: "ui" }),
  },
  {
    id: "deny: APP_USER_NOT_APPROVED",
    weight: 1,
    reasons: ["APP_USER_NOT_APPROVED"],
    notes: [],
    build: (d) => {
      const app = d.random.pick(apps(d, "enforce"));
      const outsider = d.model.profilesByRole.standard.find((p) => !app.profiles.includes(p))!;
      return callThrough(d, app, user(outsider), { channel: "ui" });
    },
  },
  {
    id: "deny: RUN_AS_NOT_API_ONLY",
    weight: 1,
    reasons: ["RUN_AS_NOT_API_ONLY"],
    notes: [],
    build: (d) => assignedCall(d, "enforce", { grant: "client_credentials" }),
  },
  {
    id: "deny: IP_OUTSIDE_LOGIN_RANGES",
    weight: 4,
    reasons: ["IP_OUTSIDE_LOGIN_RANGES"],
    notes: [],
    build: (d) => ({ ...assignedCall(d, "enforce"), sourceIp: d.outside() }),
  },
  {
    id: "deny: SESSION_IP_MISMATCH",
    weight: 2,
    reasons: ["SESSION_IP_MISMATCH"],
    notes: [],
    build: (d) => ({
      ...sessionCall(assignedCall(d, "enforce", { grant: "refresh_token" })),
      session: { originIp: d.outside() },
    }),
  },
  {
    id: "deny: HIGH_ASSURANCE_REQUIRED",
    weight: 1,
    reasons: ["HIGH_ASSURANCE_REQUIRED"],
    notes: [],
    build: (d) => assignedCall(d, "haBlock"),
  },
  {
    id: "deny: STEP_UP_REQUIRED",
    weight: 1,
    reasons: ["STEP_UP_REQUIRED"],
    notes: [],
    build: (d) => assignedCall(d, "haStepUp"),
  },
];
