import { describe, expect, it } from "vitest";
import { parsePrefix, prefixBounds } from "../../core/address.js";
import { addressClasses, describeSpans, mergeSpans, regionsOf, type AddressSpan } from "../../impact/regions.js";

function cidr(text: string): AddressSpan {
  const p = parsePrefix(text);
  if (!p.ok) throw new Error(p.error);
  return { family: p.value.family, ...prefixBounds(p.value) };
}

const MAPPED_FIRST = 0xffffn << 32n;

describe("address regions", () => {
  it("cuts both families at every boundary and leaves the IPv4-mapped block to IPv4", () => {
    const regions = regionsOf([cidr("10.0.0.0/8"), cidr("10.1.0.0/16"), cidr("2001:db8::/32")]);
    expect(regions.filter((r) => r.family === 4).map((r) => describeSpans([r]))).toEqual([
      "0.0.0.0–9.255.255.255",
      "10.0.0.0–10.0.255.255",
      "10.1.0.0–10.1.255.255",
      "10.2.0.0–10.255.255.255",
      "11.0.0.0–255.255.255.255",
    ]);
    const v6 = regions.filter((r) => r.family === 6);
    expect(v6.some((r) => r.first <= MAPPED_FIRST && MAPPED_FIRST <= r.last)).toBe(false);
    expect(v6.map((r) => describeSpans([r]))).toEqual([
      "::–::fffe:ffff:ffff",
      "::1:0:0:0–2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
      "2001:db8::–2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
      "2001:db9::–ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ]);
  });

  it("merges touching ranges, across the mapped block too, and says `any address` for everything", () => {
    const all = regionsOf([cidr("10.0.0.0/8"), cidr("2001:db8::/32")]);
    expect(describeSpans(all)).toBe("any address");
    expect(describeSpans(all.filter((r) => r.family === 4))).toBe("any IPv4 address");
    expect(
      mergeSpans([cidr("10.0.0.0/25"), cidr("10.0.0.128/25"), cidr("10.0.2.0/24")]).map((s) => describeSpans([s])),
    ).toEqual(["10.0.0.0–10.0.0.255", "10.0.2.0–10.0.2.255"]);
  });

  it("lists at most a dozen ranges, then says how many more", () => {
    const many = Array.from({ length: 15 }, (_, i) => cidr(`10.0.${i * 2}.0/24`));
    expect(describeSpans(many)).toMatch(/, 10\.0\.22\.0–10\.0\.22\.255 and 3 more ranges$/);
  });

  it("groups regions by which sets hold them: one class per membership and family", () => {
    // A profile's 1,000 scattered ranges in one version and none in the other: inside and outside.
    const scattered = Array.from({ length: 1000 }, (_, i) => cidr(`10.${i >> 8}.${i & 255}.0/25`));
    const classes = addressClasses([scattered, []]);
    expect(classes).toHaveLength(3);
    const v4 = classes.filter((c) => c.family === 4);
    expect(v4).toHaveLength(2);
    const inside = v4.find((c) => c.spans.some((s) => s.first === cidr("10.0.0.0/25").first))!;
    expect(inside.spans).toHaveLength(1000);
    expect(inside.representative).toBe(cidr("10.0.0.0/25").first);
  });
});
