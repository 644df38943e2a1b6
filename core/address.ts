/**
 * Strict IP address and prefix parsing, shared by the compiler and the runtime so that both
 * read an address exactly the same way (docs/semantics.md §2). Addresses are parsed once, into a
 * family and an integer; nothing here guesses at octal, hex, integer or short forms.
 */

/** An address family: 4 for IPv4, 6 for IPv6. */
export type IpFamily = 4 | 6;

/** A parsed address. `mapped` is true when IPv6 text in `::ffff:0:0/96` was normalized to IPv4. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
  readonly mapped: boolean;
}

/** A parsed CIDR prefix, canonical (host bits zero) and already normalized out of the mapped block. */
export interface IpPrefix {
  readonly family: IpFamily;
  readonly value: bigint;
  readonly length: number;
}

/** The outcome of a parse: the value, or a one-line reason in the style of the diagnostics. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string; readonly hint?: string; readonly problem: ParseProblem };

/** What kind of mistake made a parse fail. */
export type ParseProblem = "address" | "prefix-length" | "host-bits";

/** The longest text accepted as an address; longer input is refused before any parsing. */
export const MAX_ADDRESS_LENGTH = 45;

const V4_WIDTH = 32;
const V6_WIDTH = 128;
const MAPPED_PREFIX = 0xffffn << 32n;
const MAPPED_MASK = ((1n << 96n) - 1n) << 32n;

/** The number of bits in an address of `family`. */
export function familyWidth(family: IpFamily): number {
  return family === 4 ? V4_WIDTH : V6_WIDTH;
}

function fail<T>(error: string, hint?: string, problem: ParseProblem = "address"): ParseResult<T> {
  return hint === undefined ? { ok: false, error, problem } : { ok: false, error, hint, problem };
}

function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseV4Value(text: string): ParseResult<bigint> {
  const parts = text.split(".");
  if (parts.length !== 4) {
    return fail(
      `\`${text}\` is not an IPv4 address: it needs four decimal parts`,
      "write all four parts, e.g. `127.0.0.1` rather than `127.1`",
    );
  }
  let value = 0n;
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) {
      if (/^0[0-9]+$/.test(part)) {
        return fail(
          `\`${text}\` has a leading zero in \`${part}\`, which some parsers read as octal`,
          `write \`${String(Number.parseInt(part, 10))}\` if decimal was meant`,
        );
      }
      return fail(`\`${text}\` is not an IPv4 address: \`${part}\` is not a decimal number 0–255`);
    }
    const n = Number(part);
    if (n > 255) {
      return fail(`\`${text}\` is not an IPv4 address: \`${part}\` is larger than 255`);
    }
    value = (value << 8n) | BigInt(n);
  }
  return ok(value);
}

function parseGroups(text: string, whole: string): ParseResult<bigint[]> {
  if (text === "") return ok([]);
  const groups: bigint[] = [];
  for (const g of text.split(":")) {
    if (!HEX_GROUP.test(g)) {
      return fail(
        g === ""
          ? `\`${whole}\` is not an IPv6 address: it has an empty group`
          : `\`${whole}\` is not an IPv6 address: \`${g}\` is not a group of 1–4 hex digits`,
      );
    }
    groups.push(BigInt(`0x${g}`));
  }
  return ok(groups);
}

function parseV6Value(text: string): ParseResult<bigint> {
  if (text.includes("%")) {
    return fail(`\`${text}\` has a zone id, which is not allowed in a policy address`, "remove the `%…` suffix");
  }
  let head = text;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    const quad = parseV4Value(text.slice(lastColon + 1));
    if (!quad.ok) return fail(`\`${text}\` has an invalid embedded IPv4 part: ${quad.error}`);
    tail = [quad.value >> 16n, quad.value & 0xffffn];
    // Drop the colon before the dotted quad unless it is half of a `::` (as in `::1.2.3.4`).
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) {
    return fail(`\`${text}\` is not an IPv6 address: \`::\` may appear only once`);
  }
  let groups: bigint[];
  if (halves.length === 2) {
    // Stryker disable next-line StringLiteral: split gave two strings here; the fallback only satisfies the type checker
    const left = parseGroups(halves[0] ?? "", text);
    if (!left.ok) return left;
    // Stryker disable next-line StringLiteral: split gave two strings here; the fallback only satisfies the type checker
    const right = parseGroups(halves[1] ?? "", text);
    if (!right.ok) return right;
    const present = left.value.length + right.value.length + tail.length;
    if (present > 7) {
      return fail(`\`${text}\` is not an IPv6 address: \`::\` must stand for at least one group`);
    }
    groups = [...left.value, ...new Array<bigint>(8 - present).fill(0n), ...right.value, ...tail];
  } else {
    const all = parseGroups(head, text);
    if (!all.ok) return all;
    groups = [...all.value, ...tail];
    if (groups.length !== 8) {
      return fail(`\`${text}\` is not an IPv6 address: it has ${groups.length} groups, not 8`);
    }
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | g;
  return ok(value);
}

/**
 * Parses `text` as an address without normalizing IPv4-mapped IPv6. Rejects leading zeros,
 * short and integer forms, zone ids, whitespace and anything longer than 45 characters.
 */
export function parseAddressRaw(text: string): ParseResult<{ family: IpFamily; value: bigint }> {
  if (text.length === 0) return fail("the address is empty");
  if (text.length > MAX_ADDRESS_LENGTH) {
    return fail(`\`${text.slice(0, 20)}…\` is longer than any address (${MAX_ADDRESS_LENGTH} characters)`);
  }
  if (text.includes(":")) {
    const v6 = parseV6Value(text);
    return v6.ok ? ok({ family: 6, value: v6.value }) : v6;
  }
  if (/^[0-9]+$/.test(text) || /^0x/i.test(text)) {
    return fail(
      `\`${text}\` is not an IPv4 address: hex and integer forms are not accepted`,
      "write the dotted quad, e.g. `127.0.0.1`",
    );
  }
  if (/^[0-9.]+$/.test(text)) {
    const v4 = parseV4Value(text);
    return v4.ok ? ok({ family: 4, value: v4.value }) : v4;
  }
  return fail(`\`${text}\` is not an IP address`);
}

/** True when an IPv6 value lies in the IPv4-mapped block `::ffff:0:0/96`. */
export function isMappedV6(value: bigint): boolean {
  return (value & MAPPED_MASK) === MAPPED_PREFIX;
}

/** Parses `text` strictly and normalizes IPv4-mapped IPv6 to the IPv4 address it carries. */
export function parseAddress(text: string): ParseResult<IpAddress> {
  const raw = parseAddressRaw(text);
  if (!raw.ok) return raw;
  const { family, value } = raw.value;
  // An IPv4 value is below 2^32, never in the mapped block.
  if (isMappedV6(value)) {
    return ok({ family: 4, value: value & 0xffffffffn, mapped: true });
  }
  return ok({ family, value, mapped: false });
}

/** True when `text` is a strict address (docs/semantics.md §2). */
export function isStrictAddress(text: string): boolean {
  return parseAddressRaw(text).ok;
}

/** Formats an address: dotted quad for IPv4, RFC 5952 text for IPv6. */
export function formatAddress(family: IpFamily, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  // Stryker disable next-line EqualityOperator: at i = 8 groups[8] is undefined, so the loop only steps past the end
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    // groups[8] is undefined, never 0: a run stops at the end.
    while (groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** Formats a prefix as `address/length`. */
export function formatPrefix(prefix: IpPrefix): string {
  return `${formatAddress(prefix.family, prefix.value)}/${prefix.length}`;
}

/** The bit mask selecting the host part of a `length`-bit prefix of `family`. */
export function hostMask(family: IpFamily, length: number): bigint {
  return (1n << BigInt(familyWidth(family) - length)) - 1n;
}

/**
 * Parses `address/length` strictly: the length is decimal without sign or leading zeros, the host
 * bits are zero (the error's hint gives the canonical form), and a mapped-form IPv6 prefix of
 * length 96 or more is the IPv4 prefix it denotes.
 */
export function parsePrefix(text: string): ParseResult<IpPrefix> {
  const slash = text.indexOf("/");
  if (slash < 0) return fail(`\`${text}\` is not a CIDR prefix: it has no \`/length\``, undefined, "prefix-length");
  const addrText = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  const raw = parseAddressRaw(addrText);
  if (!raw.ok) return raw;
  const width = familyWidth(raw.value.family);
  if (lenText === "") {
    return fail(
      `\`${text}\` has no prefix length after the \`/\``,
      `write the length, e.g. \`${addrText}/${width}\` for just this address, or drop the \`/\``,
      "prefix-length",
    );
  }
  if (/^0[0-9]+$/.test(lenText)) {
    return fail(
      `\`${text}\` has a leading zero in its prefix length \`${lenText}\``,
      `write \`${addrText}/${Number(lenText)}\``,
      "prefix-length",
    );
  }
  if (/^[0-9]+$/.test(lenText) && Number(lenText) > width) {
    return fail(
      `\`${text}\` has prefix length ${lenText}, but an IPv${raw.value.family} prefix is at most ${width} bits`,
      undefined,
      "prefix-length",
    );
  }
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText)) {
    return fail(
      `\`${text}\` has an invalid prefix length \`${lenText}\`: it must be a decimal number 0–${width}`,
      undefined,
      "prefix-length",
    );
  }
  let family = raw.value.family;
  let value = raw.value.value;
  let length = Number(lenText);
  const mask = hostMask(family, length);
  if ((value & mask) !== 0n) {
    const canonical = formatPrefix({ family, value: value & ~mask, length });
    return fail(`\`${text}\` has host bits set`, `the prefix is \`${canonical}\``, "host-bits");
  }
  // An IPv4 value is never in the mapped block, and a mapped value has host bits set below /96
  // (bit 32 is set), so this is exactly an IPv6 prefix of length 96 or more in the mapped block.
  if (isMappedV6(value)) {
    family = 4;
    value &= 0xffffffffn;
    length -= 96;
  }
  return ok({ family, value, length });
}

/** The first and last address covered by a prefix. */
export function prefixBounds(prefix: IpPrefix): { first: bigint; last: bigint } {
  return { first: prefix.value, last: prefix.value | hostMask(prefix.family, prefix.length) };
}

/** The number of hex digits in the canonical text of an address of `family`. */
export function hexWidth(family: IpFamily): number {
  return familyWidth(family) / 4;
}

/** The fixed-width lowercase hex form of an address, as the generated policy computes it. */
export function toHex(family: IpFamily, value: bigint): string {
  return value.toString(16).padStart(hexWidth(family), "0");
}
