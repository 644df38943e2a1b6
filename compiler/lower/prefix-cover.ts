import { familyWidth, type IpFamily } from "../../core/address.js";

/** An inclusive interval of addresses of one family. */
export interface Interval {
  readonly first: bigint;
  readonly last: bigint;
}

/** A CIDR prefix as (value, length), host bits zero. */
export interface Prefix {
  readonly value: bigint;
  readonly length: number;
}

/** Sorts intervals and merges those that overlap or touch, giving the fewest disjoint intervals. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  // The sign of a bigint difference survives the conversion to a number, however large.
  const sorted = [...intervals].sort((a, b) => Number(a.first - b.first));
  const merged: Array<{ first: bigint; last: bigint }> = [];
  for (const { first, last } of sorted) {
    const top = merged[merged.length - 1];
    if (top && first <= top.last + 1n) {
      // Stryker disable next-line EqualityOperator: when `last` equals `top.last` the assignment changes nothing
      if (last > top.last) top.last = last;
    } else {
      merged.push({ first, last });
    }
  }
  return merged;
}

/** The number of trailing zero bits of `value` (its alignment), at most `width`. */
function alignment(value: bigint, width: number): number {
  if (value === 0n) return width;
  // Whole 32-bit words of zeros first, then the lowest set bit of the next word (`low & -low`
  // keeps only that bit, as 32-bit integers), without a bigint shift per bit.
  let bits = 0;
  let rest = value;
  while ((rest & 0xffffffffn) === 0n) {
    rest >>= 32n;
    bits += 32;
  }
  const low = Number(rest & 0xffffffffn);
  return bits + 31 - Math.clz32(low & -low);
}

/**
 * The minimal list of CIDR prefixes covering exactly `[first, last]` in a `width`-bit address
 * space: at each step the largest aligned block that starts at the current address and does not
 * pass `last`.
 */
export function intervalToPrefixes(width: number, interval: Interval): Prefix[] {
  const out: Prefix[] = [];
  let start = interval.first;
  const end = interval.last;
  while (start <= end) {
    let size = alignment(start, width);
    const remaining = end - start + 1n;
    // INVARIANT: remaining >= 1 = 2^0, so the loop stops at size 0 at the latest.
    while (1n << BigInt(size) > remaining) size--;
    out.push({ value: start, length: width - size });
    start += 1n << BigInt(size);
  }
  return out;
}

/** Merges `intervals` and covers them with the minimal set of prefixes, in address order. */
export function coverWithPrefixes(family: IpFamily, intervals: readonly Interval[]): Prefix[] {
  const width = familyWidth(family);
  const out: Prefix[] = [];
  // A loop rather than flatMap: most intervals give one prefix, and flatMap's per-item arrays cost.
  for (const interval of mergeIntervals(intervals)) for (const p of intervalToPrefixes(width, interval)) out.push(p);
  return out;
}
