/**
 * The fixed lookup tables the generated policy uses: enums of the request contract and the
 * tables that parse addresses without any CIDR builtin. They are the same for every policy set,
 * and travel in data.json because WebAssembly rebuilds constant Rego collections on every call.
 */

function truthTable(keys: readonly string[]): Record<string, true> {
  return Object.fromEntries(keys.map((k) => [k, true]));
}

const HEX = "0123456789abcdef";

/** Each decimal octet text `0`–`255` (no leading zeros) to its two hex digits. */
function octets(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < 256; i++) out[String(i)] = i.toString(16).padStart(2, "0");
  return out;
}

/** Each hex digit to the bit of it in an address set's 16-bit mask (see MaskTable). */
function nibbleBits(): Record<string, number> {
  return Object.fromEntries([...HEX].map((c, i) => [c, 1 << i]));
}

/** Every two-digit lowercase hex string. */
function hexBytes(): Record<string, true> {
  const keys: string[] = [];
  for (const a of HEX) for (const b of HEX) keys.push(a + b);
  return truthTable(keys);
}

/** The request fields, grants and user types of docs/semantics.md §3. */
export const REQUEST_FIELDS = [
  "user",
  "app",
  "channel",
  "grant",
  "sourceIp",
  "login",
  "session",
  "site",
  "priorAuthorization",
] as const;
export const REQUIRED_FIELDS = ["user", "app", "channel", "grant", "sourceIp", "login"] as const;
export const USER_FIELDS = ["id", "userType", "profile", "permissionSets", "permissionSetGroups"] as const;
export const SESSION_FIELDS = ["originIp", "highAssurance", "identityVerified"] as const;
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
export const USER_TYPES = [
  "Standard",
  "PowerPartner",
  "PowerCustomerSuccess",
  "CustomerSuccess",
  "CspLitePortal",
  "Guest",
  "CsnOnly",
] as const;
export const EXTERNAL_USER_TYPES = [
  "PowerPartner",
  "PowerCustomerSuccess",
  "CustomerSuccess",
  "CspLitePortal",
] as const;
export const INTERACTIVE_GRANTS = ["web_server", "user_agent", "device"] as const;
export const NEVER_RELAXED_GRANTS = ["jwt_bearer", "saml_bearer", "password", "soap_login", "session"] as const;
export const APPLESS_GRANTS = ["password", "soap_login", "session"] as const;
export const PASSWORD_GRANTS = ["password", "soap_login"] as const;
/** Users neither guest nor customer or partner: the ones the quick allow path decides. */
export const INTERNAL_USER_TYPES = ["Standard", "CsnOnly"] as const;
/** Grants whose logins may be challenged (identity verification or security token) on the API channel. */
export const CHALLENGED_GRANTS = [...INTERACTIVE_GRANTS, ...PASSWORD_GRANTS] as const;

/** The `lib` object of data.json. */
export function libTables(): Record<string, unknown> {
  return {
    appless_grants: truthTable(APPLESS_GRANTS),
    challenged_grants: truthTable(CHALLENGED_GRANTS),
    channels: truthTable(["api", "ui"]),
    external_user_types: truthTable(EXTERNAL_USER_TYPES),
    grants: truthTable(GRANTS),
    hexbyte: hexBytes(),
    interactive_grants: truthTable(INTERACTIVE_GRANTS),
    internal_user_types: truthTable(INTERNAL_USER_TYPES),
    never_relaxed_grants: truthTable(NEVER_RELAXED_GRANTS),
    nibblebit: nibbleBits(),
    octets: octets(),
    pad: ["", "000", "00", "0", ""],
    password_grants: truthTable(PASSWORD_GRANTS),
    request_fields: [...REQUEST_FIELDS],
    required_fields: [...REQUIRED_FIELDS],
    session_fields: [...SESSION_FIELDS],
    user_fields: [...USER_FIELDS],
    user_types: truthTable(USER_TYPES),
    zeros: "0".repeat(32),
  };
}
