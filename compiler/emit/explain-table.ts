import type { Ir, IrSource } from "../lower/ir.js";

/**
 * The explanation table: how a reason or note key (a code, with `/variant` when its message has
 * several forms) that the policy answers becomes the `{code, message, control, source}` reason or
 * `{code, message}` note of a decision, and the names and sources of the declarations those name.
 * It travels in the bundle as its own data file (data.gatehouse.explain), which OPA loads with the
 * rest and the Gatehouse runtime reads into JavaScript without loading it into WebAssembly memory
 * (docs/runtime.md). The messages are those of templates/explanations.rego.hbs, word for word.
 *
 * A message is a template: each `{name}` is replaced, in one pass, by a value of the request or
 * of the table (PLACEHOLDERS); no other braces occur in a message.
 */

/** The declaration a reason cites: the request's profile, the request's app, the org, or none. */
export type SourceRef = "profile" | "app" | "org" | null;

/** How one reason key is explained. */
export interface ReasonTemplate {
  readonly code: string;
  readonly control: string;
  readonly source: SourceRef;
  readonly message: string;
}

/** How one note key is explained. */
export interface NoteTemplate {
  readonly code: string;
  readonly message: string;
}

/**
 * What each placeholder stands for. From the request: `profile` (user.profile), `clientId`
 * (app.clientId), `sourceIp`, `originIp` (session.originIp), `grant`, `site`. From the table's
 * `apps` entry of the request's client id: `app` (its name, its source's `name`) and `relaxation`
 * (its ipRelaxation).
 */
export const PLACEHOLDERS = [
  "profile",
  "clientId",
  "sourceIp",
  "originIp",
  "grant",
  "site",
  "app",
  "relaxation",
] as const;

const AAC = "API access control admits only allowlisted connected apps, and ";
const EXTERNAL = "customers and partners may call APIs only through installed connected apps, and ";
const ASSIGNED = "by profile, permission set or permission set group";
const LOCKED = "sessions are locked to the address they began at, and ";
const RELAXED = "connected app `{app}` relaxes the login IP ranges of profile `{profile}` (`{relaxation}`)";

const aac = (message: string): ReasonTemplate => ({
  code: "AAC_APP_NOT_ALLOWLISTED",
  control: "api-access-control",
  source: "org",
  message: AAC + message,
});

const external = (message: string): ReasonTemplate => ({
  code: "AAC_EXTERNAL_APP_NOT_INSTALLED",
  control: "api-access-control",
  source: "org",
  message: EXTERNAL + message,
});

/** Every reason key the policy may answer, in the order of docs/semantics.md §4. */
export const REASON_TEMPLATES: Readonly<Record<string, ReasonTemplate>> = {
  PROFILE_UNKNOWN: {
    code: "PROFILE_UNKNOWN",
    control: "input",
    source: null,
    message: "profile `{profile}` is not declared",
  },
  API_ONLY_USER_UI_DENIED: {
    code: "API_ONLY_USER_UI_DENIED",
    control: "api-access-control",
    source: "profile",
    message: "the user has API Only User (`ApiUserOnly`), so the UI is closed to them",
  },
  API_NOT_ENABLED: {
    code: "API_NOT_ENABLED",
    control: "api-access-control",
    source: "profile",
    message: "neither profile `{profile}` nor the user's permission sets grant API Enabled (`ApiEnabled`)",
  },
  GUEST_API_DENIED: {
    code: "GUEST_API_DENIED",
    control: "api-access-control",
    source: "profile",
    message: "guest users may not call APIs",
  },
  AAC_NO_CONNECTED_APP: {
    code: "AAC_NO_CONNECTED_APP",
    control: "api-access-control",
    source: "org",
    message: `${AAC}this request uses none`,
  },
  "AAC_APP_NOT_ALLOWLISTED/app_unknown": aac("client id `{clientId}` is not a declared connected app"),
  "AAC_APP_NOT_ALLOWLISTED/not_installed": aac("connected app `{app}` is not installed"),
  "AAC_APP_NOT_ALLOWLISTED/not_approved": aac("connected app `{app}` is not admin-approved"),
  "AAC_APP_NOT_ALLOWLISTED/not_assigned": aac(`the user is not assigned to connected app \`{app}\` ${ASSIGNED}`),
  "AAC_EXTERNAL_APP_NOT_INSTALLED/no_app": external("this request uses none"),
  "AAC_EXTERNAL_APP_NOT_INSTALLED/app_unknown": external("client id `{clientId}` is not a declared connected app"),
  "AAC_EXTERNAL_APP_NOT_INSTALLED/not_installed": external("connected app `{app}` is not installed"),
  "AAC_EXTERNAL_APP_NOT_INSTALLED/blocked": external("connected app `{app}` is blocked"),
  "AAC_EXTERNAL_APP_NOT_INSTALLED/not_in_site": external("connected app `{app}` is not installed in site `{site}`"),
  "AAC_EXTERNAL_APP_NOT_INSTALLED/no_site": external(
    "connected app `{app}` is installed only in listed sites, and the request names none",
  ),
  APP_UNKNOWN: {
    code: "APP_UNKNOWN",
    control: "connected-app",
    source: null,
    message: "client id `{clientId}` is not a declared connected app",
  },
  APP_BLOCKED: {
    code: "APP_BLOCKED",
    control: "connected-app",
    source: "app",
    message: "connected app `{app}` is blocked",
  },
  "APP_UNINSTALLED/device": {
    code: "APP_UNINSTALLED",
    control: "connected-app",
    source: "app",
    message: "connected app `{app}` is not installed, and the device flow may never use an uninstalled app",
  },
  "APP_UNINSTALLED/not_authorized": {
    code: "APP_UNINSTALLED",
    control: "connected-app",
    source: "app",
    message:
      "connected app `{app}` is not installed, and the user had not authorized it before uninstalled apps were blocked",
  },
  APP_USER_NOT_APPROVED: {
    code: "APP_USER_NOT_APPROVED",
    control: "connected-app",
    source: "app",
    message: `connected app \`{app}\` admits only admin-approved users, and the user is not assigned to it ${ASSIGNED}`,
  },
  RUN_AS_NOT_API_ONLY: {
    code: "RUN_AS_NOT_API_ONLY",
    control: "connected-app",
    source: "profile",
    message: "the client-credentials run-as user (profile `{profile}`) lacks API Only User (`ApiUserOnly`)",
  },
  IP_OUTSIDE_LOGIN_RANGES: {
    code: "IP_OUTSIDE_LOGIN_RANGES",
    control: "login-ip-ranges",
    source: "profile",
    message: "address `{sourceIp}` is outside the login IP ranges of profile `{profile}`",
  },
  "SESSION_IP_MISMATCH/other_address": {
    code: "SESSION_IP_MISMATCH",
    control: "session",
    source: "org",
    message: `${LOCKED}this request comes from \`{sourceIp}\`, not \`{originIp}\``,
  },
  "SESSION_IP_MISMATCH/origin_unknown": {
    code: "SESSION_IP_MISMATCH",
    control: "session",
    source: "org",
    message: `${LOCKED}the session's origin address is unknown`,
  },
  STEP_UP_REQUIRED: {
    code: "STEP_UP_REQUIRED",
    control: "session",
    source: "app",
    message: "connected app `{app}` requires a high-assurance session: step up with multi-factor authentication",
  },
  "HIGH_ASSURANCE_REQUIRED/no_step_up": {
    code: "HIGH_ASSURANCE_REQUIRED",
    control: "session",
    source: "app",
    message: "connected app `{app}` requires a high-assurance session, and a `{grant}` request cannot step up",
  },
  HIGH_ASSURANCE_REQUIRED: {
    code: "HIGH_ASSURANCE_REQUIRED",
    control: "session",
    source: "app",
    message: "connected app `{app}` requires a high-assurance session",
  },
};

/** Every note key the policy may answer, in the order of docs/semantics.md §4. */
export const NOTE_TEMPLATES: Readonly<Record<string, NoteTemplate>> = {
  IP_RESTRICTION_RELAXED: { code: "IP_RESTRICTION_RELAXED", message: RELAXED },
  "IP_RESTRICTION_RELAXED/every_request": {
    code: "IP_RESTRICTION_RELAXED",
    message: `${RELAXED}; with login IP ranges enforced on every request, Salesforce limits sensitive actions in relaxed sessions`,
  },
  IDENTITY_VERIFICATION_REQUIRED: {
    code: "IDENTITY_VERIFICATION_REQUIRED",
    message:
      "address `{sourceIp}` is outside the org's trusted IP ranges, so Salesforce asks the user to verify their identity",
  },
  SECURITY_TOKEN_REQUIRED: {
    code: "SECURITY_TOKEN_REQUIRED",
    message:
      "address `{sourceIp}` is outside the org's trusted IP ranges, so the password must carry the security token",
  },
};

function source(s: IrSource): Record<string, unknown> {
  return { kind: s.kind, name: s.name, file: s.file, line: s.line };
}

/**
 * The explanation table of data.gatehouse.explain, without its revision: the templates above, the
 * org's source, each profile's source by name, and each app's ipRelaxation and source (whose
 * `name` is the app's) by client id.
 */
export function explainData(ir: Ir): Record<string, unknown> {
  // Null-prototype objects, so a name such as `__proto__` is an ordinary key.
  const apps = Object.create(null) as Record<string, unknown>;
  for (const app of ir.apps) {
    // INVARIANT: a declaration's source names it (validate), so the source's name is the app's.
    const entry = { ipRelaxation: app.ipRelaxation, source: source(app.source) };
    for (const clientId of app.clientIds) apps[clientId] = entry;
  }
  const profiles = Object.create(null) as Record<string, unknown>;
  for (const p of ir.profiles) profiles[p.name] = source(p.source);
  return { reasons: REASON_TEMPLATES, notes: NOTE_TEMPLATES, org: source(ir.org.source), profiles, apps };
}
