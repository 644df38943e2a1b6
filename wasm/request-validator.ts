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
  // Stryker disable next-line EqualityOperator: charCodeAt past the end is NaN, which matches no character below
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

// An escape is a lone surrogate's (captured) or any other, consumed from its backslash on so that
// an escaped backslash before `ud800` is not read as an escape; `.` suffices for the others, since
// the hex digits of a `\uXXXX` that is no surrogate cannot start an escape.
const ESCAPE = /\\(?:u(d[89a-f][0-9a-f]{2})|.)/g;

/**
 * JSON text for the WebAssembly policy: `JSON.stringify` escapes a lone surrogate as `\udXXX`,
 * which OPA's WebAssembly JSON parser refuses (it aborts the evaluation), while OPA's Go server
 * reads it as U+FFFD. Replacing each one with U+FFFD gives the policy what OPA would have seen.
 */
export function wellFormedJson(json: string): string {
  // INVARIANT: `json` comes from JSON.stringify, which escapes surrogates only when unpaired.
  // Stryker disable next-line ConditionalExpression,StringLiteral: a fast path; without `\ud` the replacement below changes nothing
  if (!json.includes("\\ud")) return json;
  return json.replace(ESCAPE, (escape, surrogate: string | undefined) => (surrogate ? "\\ufffd" : escape));
}

/**
 * Whether the JSON serialization of `value` is certainly longer than `limit` UTF-8 bytes, judged
 * without serializing and without reading any string's characters (only lengths): every UTF-16
 * unit of a string or key takes at least one byte of JSON, a key two quotes and a colon, any
 * other value at least one byte. The walk stops as soon as the bound passes `limit` (so it visits
 * at most about `limit` values) and never descends past `maxDepth` or into an object with a
 * `toJSON` method, whose serialization it cannot bound. Reads each property it visits once
 * (a throwing getter throws, as serializing would). A false answer promises nothing: the
 * exact size is checked after serialization.
 */
export function certainlyLargerThan(value: unknown, limit: number, maxDepth = 64): boolean {
  let total = 0;
  const stack: Array<readonly [unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === "string") total += v.length + 2;
    else if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    else if (typeof v !== "object" || v === null) total += 1;
    else if (depth < maxDepth && typeof (v as { toJSON?: unknown }).toJSON !== "function") {
      total += 2;
      if (Array.isArray(v)) {
        total += Math.max(0, v.length - 1);
        for (let i = 0; i < v.length && total <= limit; i++) stack.push([v[i], depth + 1]);
      } else {
        for (const key of Object.keys(v)) {
          if (total > limit) break;
          const member = (v as Record<string, unknown>)[key];
          // JSON.stringify leaves out members it cannot carry.
          if (member === undefined || typeof member === "function" || typeof member === "symbol") continue;
          total += key.length + 3;
          stack.push([member, depth + 1]);
        }
      }
    }
    if (total > limit) return true;
  }
  return false;
}
