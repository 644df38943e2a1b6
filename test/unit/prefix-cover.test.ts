import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { coverWithPrefixes, intervalToPrefixes, mergeIntervals } from "../../compiler/lower/prefix-cover.js";

/** The addresses a prefix list covers, in a small space. */
function covered(width: number, prefixes: ReadonlyArray<{ value: bigint; length: number }>): Set<number> {
  const out = new Set<number>();
  for (const p of prefixes) {
    const size = 1 << (width - p.length);
    for (let i = 0; i < size; i++) out.add(Number(p.value) + i);
  }
  return out;
}

/** The size of the minimal prefix cover, by brute force: the greedy-free recursive split. */
function minimalCount(width: number, first: number, last: number): number {
  const rec = (lo: number, size: number): number => {
    const hi = lo + size - 1;
    if (hi < first || lo > last) return 0;
    if (lo >= first && hi <= last) return 1;
    return rec(lo, size / 2) + rec(lo + size / 2, size / 2);
  };
  return rec(0, 1 << width);
}

describe("intervalToPrefixes", () => {
  it("covers exactly every interval of a 7-bit space with the fewest prefixes (exhaustive)", () => {
    const width = 7;
    for (let first = 0; first < 1 << width; first++) {
      for (let last = first; last < 1 << width; last++) {
        const prefixes = intervalToPrefixes(width, { first: BigInt(first), last: BigInt(last) });
        const set = covered(width, prefixes);
        expect(set.size).toBe(last - first + 1);
        expect(Math.min(...set)).toBe(first);
        expect(Math.max(...set)).toBe(last);
        expect(prefixes.length).toBe(minimalCount(width, first, last));
        for (const p of prefixes) expect(p.value & ((1n << BigInt(width - p.length)) - 1n)).toBe(0n);
      }
    }
  });

  it("produces at most 2(w−1) prefixes, disjoint, ascending and exact in 32 and 128 bits (property)", () => {
    for (const width of [32, 128]) {
      const addr = fc.bigInt({ min: 0n, max: (1n << BigInt(width)) - 1n });
      fc.assert(
        fc.property(addr, addr, (a, b) => {
          const [first, last] = a <= b ? [a, b] : [b, a];
          const prefixes = intervalToPrefixes(width, { first, last });
          if (prefixes.length > 2 * (width - 1) && !(prefixes.length === 1)) return false;
          let next = first;
          for (const p of prefixes) {
            if (p.value !== next) return false;
            next = p.value + (1n << BigInt(width - p.length));
          }
          return next === last + 1n;
        }),
        { seed: 42, numRuns: 3000 },
      );
    }
  });
});

describe("mergeIntervals and coverWithPrefixes", () => {
  it("merges overlapping and adjacent intervals, keeps gaps", () => {
    expect(
      mergeIntervals([
        { first: 10n, last: 20n },
        { first: 0n, last: 5n },
        { first: 21n, last: 25n },
        { first: 15n, last: 18n },
        { first: 27n, last: 30n },
      ]),
    ).toEqual([
      { first: 0n, last: 5n },
      { first: 10n, last: 25n },
      { first: 27n, last: 30n },
    ]);
  });

  it("covers the union of random IPv4 ranges exactly (property)", () => {
    const addr = fc.integer({ min: 0, max: 4095 }).map(BigInt);
    const range = fc.tuple(addr, addr).map(([a, b]) => (a <= b ? { first: a, last: b } : { first: b, last: a }));
    fc.assert(
      fc.property(fc.array(range, { maxLength: 12 }), (ranges) => {
        const prefixes = coverWithPrefixes(4, ranges);
        const want = new Set<number>();
        for (const r of ranges) for (let i = Number(r.first); i <= Number(r.last); i++) want.add(i);
        const got = covered(32, prefixes);
        return got.size === want.size && [...want].every((x) => got.has(x));
      }),
      { seed: 9, numRuns: 500 },
    );
  });
});

describe("mergeIntervals sorts by first address, however many intervals come in whatever order", () => {
  it("merges 300 shuffled intervals as a brute-force union does (property)", () => {
    const range = fc
      .tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 8 }))
      .map(([a, n]) => ({ first: BigInt(a), last: BigInt(a + n) }));
    fc.assert(
      fc.property(fc.array(range, { minLength: 100, maxLength: 300 }), (ranges) => {
        const want: Array<{ first: bigint; last: bigint }> = [];
        const hit = new Set<number>();
        for (const r of ranges) for (let i = Number(r.first); i <= Number(r.last); i++) hit.add(i);
        for (const i of [...hit].sort((x, y) => x - y)) {
          const top = want[want.length - 1];
          if (top && top.last + 1n === BigInt(i)) top.last = BigInt(i);
          else want.push({ first: BigInt(i), last: BigInt(i) });
        }
        expect(mergeIntervals(ranges)).toEqual(want);
      }),
      { seed: 5, numRuns: 50 },
    );
  });

  it("orders intervals whose starts differ by more than a double can hold exactly", () => {
    const high = { first: (1n << 127n) + 1n, last: (1n << 127n) + 1n };
    const low = { first: 1n << 127n, last: 1n << 127n };
    expect(mergeIntervals([high, { first: 0n, last: 0n }, low])).toEqual([
      { first: 0n, last: 0n },
      { first: 1n << 127n, last: (1n << 127n) + 1n },
    ]);
  });
});
