import { MAX_ADDRESS_LENGTH } from "../core/address.js";

// The hex of an address as core/address.ts's parseAddress and toHex give it, computed on strings
// rather than BigInt (this runs on every decision): the same strict grammar, rule for rule, which
// test/unit/host-address.test.ts checks against parseAddress on valid, mapped and malformed text.

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
/** The hex of an IPv6 address in the IPv4-mapped block `::ffff:0:0/96`, before its IPv4 part. */
const MAPPED_HEX = "00000000000000000000ffff";
const OCTET_HEX = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, "0"));

/** The 8 hex digits of a strict dotted quad, else undefined. */
function v4Hex(text: string): string | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let hex = "";
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) return undefined;
    const octet = OCTET_HEX[Number(part)];
    if (octet === undefined) return undefined;
    hex += octet;
  }
  return hex;
}

/** Whether UTF-16 unit `c` is a hex digit, either case. */
function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/**
 * The colon-separated groups of `text`, each as 4 hex digits, concatenated ("" has none);
 * undefined when one is not 1–4 hex digits. Scanned once, without splitting.
 */
function groupsHex(text: string): string | undefined {
  if (text === "") return "";
  let hex = "";
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) !== 0x3a) {
      if (!isHexDigit(text.charCodeAt(i))) return undefined;
      continue;
    }
    const length = i - start;
    if (length < 1 || length > 4) return undefined;
    hex += "0000".slice(length) + text.slice(start, i);
    start = i + 1;
  }
  return hex;
}

/** The 32 lowercase hex digits of strict IPv6 text (which may end in a dotted quad), else undefined. */
function v6Hex(text: string): string | undefined {
  // A zone id (`%…`) is refused as every character that is neither a hex digit nor a separator.
  let head = text;
  let tail = "";
  if (text.includes(".")) {
    const lastColon = text.lastIndexOf(":");
    const quad = v4Hex(text.slice(lastColon + 1));
    if (quad === undefined) return undefined;
    tail = quad;
    // Drop the colon before the dotted quad unless it is half of a `::` (as in `::1.2.3.4`).
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  // `::` may appear once: a second one leaves an empty group in the right half, which is refused.
  const gap = head.indexOf("::");
  const left = groupsHex(gap < 0 ? head : head.slice(0, gap));
  if (left === undefined) return undefined;
  const present = (left.length + tail.length) / 4;
  if (gap < 0) return present === 8 ? (left + tail).toLowerCase() : undefined;
  const right = groupsHex(head.slice(gap + 2));
  if (right === undefined || present + right.length / 4 > 7) return undefined;
  return (left + "0000".repeat(8 - present - right.length / 4) + right + tail).toLowerCase();
}

/** An address as the policy's net.parse gives it: family and fixed-width lowercase hex. */
function parsed(text: unknown): string | undefined {
  // The empty text is no dotted quad. The length bound only spares scanning long text: no
  // address is longer.
  // Stryker disable next-line ConditionalExpression: no text over MAX_ADDRESS_LENGTH parses anyway
  if (typeof text !== "string" || text.length > MAX_ADDRESS_LENGTH) return undefined;
  if (!text.includes(":")) {
    const hex = v4Hex(text);
    return hex === undefined ? undefined : `{"family":"v4","hex":"${hex}"}`;
  }
  const hex = v6Hex(text);
  if (hex === undefined) return undefined;
  return hex.startsWith(MAPPED_HEX)
    ? `{"family":"v4","hex":"${hex.slice(MAPPED_HEX.length)}"}`
    : `{"family":"v6","hex":"${hex}"}`;
}

/**
 * The JSON members the runtime entry point reads instead of parsing addresses itself: `"$addr"`
 * for the request's `sourceIp` and `"$origin"` for its `session.originIp` when present, as
 * `"$addr":{…},"$origin":{…}` text to append to the request's JSON object. Undefined when the
 * source address does not parse (the validator refuses such a request, so it never reaches here).
 */
export function hostAddresses(request: unknown): string | undefined {
  const r = request as { sourceIp?: unknown; session?: { originIp?: unknown } };
  const addr = parsed(r.sourceIp);
  if (addr === undefined) return undefined;
  const originText = r.session?.originIp;
  if (originText === undefined) return `"$addr":${addr}`;
  const origin = parsed(originText);
  return origin === undefined ? undefined : `"$addr":${addr},"$origin":${origin}`;
}

/** The hex `hostAddresses` gives for one address text (family and digits), exposed for its parity test. */
export function hostAddressHex(text: string): { readonly family: "v4" | "v6"; readonly hex: string } | undefined {
  const json = parsed(text);
  return json === undefined ? undefined : (JSON.parse(json) as { family: "v4" | "v6"; hex: string });
}
