/**
 * The closed list of reason and note codes a decision can carry (docs/semantics.md §4–§5), in the
 * order the decision procedure produces them. The generated Rego, the JSON Schemas, the typed
 * runtime and docs/reasons.md are all checked against this registry in tests.
 */

/** The control a reason belongs to. */
export type Control = "input" | "api-access-control" | "connected-app" | "login-ip-ranges" | "session" | "runtime";

/** The kind of declaration a reason points at, or null for input and runtime reasons. */
export type SourceKind = "Org" | "Profile" | "ConnectedApp" | null;

/** One registered reason code. */
export interface ReasonSpec {
  readonly code: string;
  readonly control: Control;
  readonly source: SourceKind;
  readonly summary: string;
}

/** One registered note code. */
export interface NoteSpec {
  readonly code: string;
  readonly summary: string;
}

/** Every reason code, in decision order (docs/semantics.md §4), then the runtime's own. */
export const REASONS = [
  {
    code: "INPUT_INVALID",
    control: "input",
    source: null,
    summary: "The request does not match the input schema; nothing else is evaluated.",
  },
  {
    code: "PROFILE_UNKNOWN",
    control: "input",
    source: null,
    summary: "The user's profile is not declared; nothing else is evaluated.",
  },
  {
    code: "API_ONLY_USER_UI_DENIED",
    control: "api-access-control",
    source: "Profile",
    summary: "A UI request from a user with API Only User.",
  },
  {
    code: "API_NOT_ENABLED",
    control: "api-access-control",
    source: "Profile",
    summary: "An API request from a user without API Enabled.",
  },
  {
    code: "GUEST_API_DENIED",
    control: "api-access-control",
    source: "Profile",
    summary: "An API request from a guest (unauthenticated) user.",
  },
  {
    code: "AAC_NO_CONNECTED_APP",
    control: "api-access-control",
    source: "Org",
    summary: "Allowlisted apps only is on and the API request uses no connected app.",
  },
  {
    code: "AAC_APP_NOT_ALLOWLISTED",
    control: "api-access-control",
    source: "Org",
    summary:
      "Allowlisted apps only is on and the app is unknown, not installed, not admin-approved, or the user is not assigned to it.",
  },
  {
    code: "AAC_EXTERNAL_APP_NOT_INSTALLED",
    control: "api-access-control",
    source: "Org",
    summary: "Customers and partners may use only installed, unblocked apps (from a listed site), and this one is not.",
  },
  {
    code: "APP_UNKNOWN",
    control: "connected-app",
    source: null,
    summary: "The client id names no declared connected app.",
  },
  { code: "APP_BLOCKED", control: "connected-app", source: "ConnectedApp", summary: "The connected app is blocked." },
  {
    code: "APP_UNINSTALLED",
    control: "connected-app",
    source: "ConnectedApp",
    summary: "The connected app is not installed and the user may not use uninstalled apps.",
  },
  {
    code: "APP_USER_NOT_APPROVED",
    control: "connected-app",
    source: "ConnectedApp",
    summary: "The app is admin-approved and the user is not assigned to it.",
  },
  {
    code: "RUN_AS_NOT_API_ONLY",
    control: "connected-app",
    source: "Profile",
    summary: "A client-credentials request whose run-as user lacks API Only User.",
  },
  {
    code: "IP_OUTSIDE_LOGIN_RANGES",
    control: "login-ip-ranges",
    source: "Profile",
    summary: "The address is outside the profile's login IP ranges and the app does not relax them.",
  },
  {
    code: "SESSION_IP_MISMATCH",
    control: "session",
    source: "Org",
    summary: "Sessions are locked to their origin address and this request comes from another.",
  },
  {
    code: "HIGH_ASSURANCE_REQUIRED",
    control: "session",
    source: "ConnectedApp",
    summary: "The app requires a high-assurance session and the request cannot step up.",
  },
  {
    code: "STEP_UP_REQUIRED",
    control: "session",
    source: "ConnectedApp",
    summary: "The app requires a high-assurance session; the user must step up (MFA).",
  },
  {
    code: "EVALUATION_ERROR",
    control: "runtime",
    source: null,
    summary:
      "The runtime could not evaluate the policy (trap, undefined or malformed result, bundle not loaded); it denies.",
  },
] as const satisfies readonly ReasonSpec[];

/** Every note code, in decision order. */
export const NOTES = [
  {
    code: "IP_RESTRICTION_RELAXED",
    summary: "The address is outside the login IP ranges and the connected app relaxed them.",
  },
  {
    code: "IDENTITY_VERIFICATION_REQUIRED",
    summary:
      "An interactive login from outside the org's trusted IP ranges by a profile without login IP ranges: Salesforce asks the user to verify identity.",
  },
  {
    code: "SECURITY_TOKEN_REQUIRED",
    summary:
      "A password or SOAP API login from outside the org's trusted IP ranges by a profile without login IP ranges: the password needs the security token.",
  },
] as const satisfies readonly NoteSpec[];

/** A reason code. */
export type ReasonCode = (typeof REASONS)[number]["code"];

/** A note code. */
export type NoteCode = (typeof NOTES)[number]["code"];

/** The codes the generated policy itself can produce (every reason except the runtime's own). */
export const POLICY_REASON_CODES: readonly ReasonCode[] = REASONS.filter((r) => r.control !== "runtime").map(
  (r) => r.code,
);
