import { validateRequest } from "./request-validator.generated.js";

export { validateRequest };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A copy of the request's own enumerable data, object by object down the shape of the request
 * contract (root, `user`, `user.permissionSets`, `app`, `session`), each property read exactly
 * once. Validating and serializing this copy judge the same values, whatever the caller passed:
 * inherited properties, `toJSON` methods and getters that change their answer cannot make the
 * validator see one request and the policy another. Throws what a throwing getter throws.
 */
export function snapshotRequest(request: unknown): unknown {
  if (!isRecord(request)) return request;
  const copy = { ...request };
  const user = copy.user;
  if (isRecord(user)) {
    const userCopy = { ...user };
    const sets = userCopy.permissionSets;
    if (Array.isArray(sets)) userCopy.permissionSets = sets.slice();
    copy.user = userCopy;
  }
  if (isRecord(copy.app)) copy.app = { ...copy.app };
  if (isRecord(copy.session)) copy.session = { ...copy.session };
  return copy;
}

/**
 * Whether the JSON text nests objects and arrays deeper than `limit`. Valid requests nest three
 * levels; anything far deeper is refused before it reaches the WebAssembly JSON parser, whose
 * recursion would otherwise exhaust the stack and trap.
 */
export function nestsDeeperThan(json: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

const ESCAPE = /\\(?:u(d[89a-f][0-9a-f]{2})|u[0-9a-f]{4}|.)/g;

/**
 * JSON text for the WebAssembly policy: `JSON.stringify` escapes a lone surrogate as `\udXXX`,
 * which OPA's WebAssembly JSON parser refuses (it aborts the evaluation), while OPA's Go server
 * reads it as U+FFFD. Replacing each one with U+FFFD gives the policy what OPA would have seen.
 */
export function wellFormedJson(json: string): string {
  // INVARIANT: `json` comes from JSON.stringify, which escapes surrogates only when unpaired.
  if (!json.includes("\\ud")) return json;
  return json.replace(ESCAPE, (escape, surrogate: string | undefined) => (surrogate ? "\\ufffd" : escape));
}
