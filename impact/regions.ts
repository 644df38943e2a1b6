/**
 * Regions of the address space: the cells between every boundary of every address set a
 * request can meet. Every address inside one region is in exactly the same address sets, so one
 * address per region decides for all of them. IPv4-mapped IPv6 addresses are IPv4 addresses
 * (docs/semantics.md §2): the mapped block is cut out of the IPv6 space and covered by the IPv4
 * regions.
 */
import { familyWidth, formatAddress, type IpFamily } from "../core/address.js";
import type { IrAddressSet, IrPrefixGroup } from "../compiler/lower/ir.js";

/** An inclusive range of addresses of one family. */
export interface AddressSpan {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
}

const MAPPED_FIRST = 0xffffn << 32n;
const MAPPED_LAST = MAPPED_FIRST | 0xffffffffn;

function spansOfGroup(family: IpFamily, group: IrPrefixGroup): AddressSpan[] {
  const width = familyWidth(family);
  const digits = Math.ceil(group.length / 4);
  const hostBits = BigInt(width - digits * 4);
  const extra = (1n << BigInt(width - group.length)) - 1n;
  return group.keys.map((key) => {
    const first = digits === 0 ? 0n : BigInt(`0x${key}`) << hostBits;
    return { family, first, last: first | extra };
  });
}

/** The ranges an address set holds, decoded from its prefix tables (one per prefix). */
export function spansOf(set: IrAddressSet): AddressSpan[] {
  return [...set.v4.flatMap((g) => spansOfGroup(4, g)), ...set.v6.flatMap((g) => spansOfGroup(6, g))];
}

/**
 * The regions cut by the boundaries of `spans`: every address of both families in exactly one
 * region, except IPv6's mapped block. Sorted by family, then address.
 */
export function regionsOf(spans: readonly AddressSpan[]): AddressSpan[] {
  const out: AddressSpan[] = [];
  for (const family of [4, 6] as const) {
    const top = (1n << BigInt(familyWidth(family))) - 1n;
    const cuts = new Set<bigint>([0n]);
    if (family === 6) {
      cuts.add(MAPPED_FIRST);
      cuts.add(MAPPED_LAST + 1n);
    }
    for (const s of spans) {
      if (s.family !== family) continue;
      cuts.add(s.first);
      if (s.last < top) cuts.add(s.last + 1n);
    }
    const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    sorted.forEach((first, i) => {
      const next = sorted[i + 1];
      const last = next === undefined ? top : next - 1n;
      if (family === 6 && first === MAPPED_FIRST) return;
      out.push({ family, first, last });
    });
  }
  return out;
}

/** Merges spans that touch or overlap into the fewest ranges, sorted by family, then address. */
export function mergeSpans(spans: readonly AddressSpan[]): AddressSpan[] {
  const sorted = [...spans].sort((a, b) =>
    a.family !== b.family ? a.family - b.family : a.first < b.first ? -1 : a.first > b.first ? 1 : 0,
  );
  const out: AddressSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    // Across the mapped block, IPv6 regions on either side are adjacent: nothing lies between them.
    const touches =
      last !== undefined &&
      last.family === s.family &&
      (s.first <= last.last + 1n ||
        (s.family === 6 && last.last + 1n === MAPPED_FIRST && s.first === MAPPED_LAST + 1n));
    if (touches) out[out.length - 1] = { ...last, last: s.last > last.last ? s.last : last.last };
    else out.push(s);
  }
  return out;
}

/** Whether `spans` (merged) cover every address of `family` (for IPv6, all but the mapped block). */
export function coversFamily(spans: readonly AddressSpan[], family: IpFamily): boolean {
  const top = (1n << BigInt(familyWidth(family))) - 1n;
  const own = spans.filter((s) => s.family === family);
  return own.length === 1 && own[0]!.first === 0n && own[0]!.last === top;
}

/** A span as an admin reads it: one address, or `first–last`. */
export function formatSpan(span: AddressSpan): string {
  const first = formatAddress(span.family, span.first);
  return span.first === span.last ? first : `${first}–${formatAddress(span.family, span.last)}`;
}

/** Merged spans as text: `any address`, `any IPv4 address`, or the ranges joined by commas (the first `most`). */
export function describeSpans(spans: readonly AddressSpan[], most = 12): string {
  const merged = mergeSpans(spans);
  const all4 = coversFamily(merged, 4);
  const all6 = coversFamily(merged, 6);
  if (all4 && all6) return "any address";
  const parts: string[] = [];
  if (all4) parts.push("any IPv4 address");
  else parts.push(...merged.filter((s) => s.family === 4).map(formatSpan));
  if (all6) parts.push("any IPv6 address");
  else parts.push(...merged.filter((s) => s.family === 6).map(formatSpan));
  if (parts.length > most) return `${parts.slice(0, most).join(", ")} and ${parts.length - most} more ranges`;
  return parts.join(", ");
}

/** Addresses that every address set of a request treats alike: the regions with one membership. */
export interface AddressClass {
  readonly family: IpFamily;
  /** The address requests of the class carry (the first of its first region). */
  readonly representative: bigint;
  /** Every region of the class, sorted. */
  readonly spans: readonly AddressSpan[];
}

/** Tells, for ascending addresses of one family after another, whether each is in `spans` (merged, sorted). */
function membership(spans: readonly AddressSpan[]): (family: IpFamily, value: bigint) => boolean {
  let i = 0;
  return (family, value) => {
    while (i < spans.length && (spans[i]!.family < family || (spans[i]!.family === family && spans[i]!.last < value)))
      i++;
    const s = spans[i];
    return s !== undefined && s.family === family && s.first <= value;
  };
}

/**
 * The regions cut by every boundary of `sets`, grouped by which of the sets hold them (and by
 * family): every address of a class is inside exactly the same sets, so one address decides for
 * the class. At most 2^sets classes per family, however many ranges the sets hold.
 */
export function addressClasses(sets: ReadonlyArray<readonly AddressSpan[]>): AddressClass[] {
  const merged = sets.map((s) => mergeSpans(s));
  const members = merged.map(membership);
  const classes = new Map<string, { family: IpFamily; representative: bigint; spans: AddressSpan[] }>();
  // INVARIANT: regionsOf returns regions sorted by family, then address, as `membership` needs.
  for (const region of regionsOf(merged.flat())) {
    const key = `${region.family}:${members.map((inside) => (inside(region.family, region.first) ? 1 : 0)).join("")}`;
    const found = classes.get(key);
    if (found) found.spans.push(region);
    else classes.set(key, { family: region.family, representative: region.first, spans: [region] });
  }
  return [...classes.values()];
}
