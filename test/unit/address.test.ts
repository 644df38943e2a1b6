import fc from "fast-check";
import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { STRICT_ADDRESS_PATTERN } from "../../core/address-pattern.js";
import { formatAddress, formatPrefix, parseAddress, parseAddressRaw, parsePrefix, toHex } from "../../core/address.js";

const pattern = new RegExp(STRICT_ADDRESS_PATTERN);

describe("parseAddress: strict syntax (docs/semantics.md §2)", () => {
  const valid: Array<[string, 4 | 6, string]> = [
    ["0.0.0.0", 4, "00000000"],
    ["255.255.255.255", 4, "ffffffff"],
    ["10.1.2.3", 4, "0a010203"],
    ["::", 6, "0".repeat(32)],
    ["::1", 6, `${"0".repeat(31)}1`],
    ["2001:DB8::1", 6, "20010db8000000000000000000000001"],
    ["2001:db8:0:0:0:0:0:1", 6, "20010db8000000000000000000000001"],
    ["1:2:3:4:5:6:7:8", 6, "00010002000300040005000600070008"],
    ["1:2:3:4:5:6:7::", 6, "00010002000300040005000600070000"],
    ["::2:3:4:5:6:7:8", 6, "00000002000300040005000600070008"],
    ["1:2:3:4:5:6:1.2.3.4", 6, "00010002000300040005000601020304"],
    ["::1.2.3.4", 6, "00000000000000000000000001020304"],
    ["64:ff9b::192.0.2.1", 6, "0064ff9b0000000000000000c0000201"],
  ];
  it.each(valid)("accepts %s", (text, family, hex) => {
    const r = parseAddressRaw(text);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.family).toBe(family);
      expect(toHex(family, r.value.value)).toBe(hex);
    }
  });

  const invalid: Array<[string, RegExp]> = [
    ["010.0.0.1", /leading zero in `010`/],
    ["1.2.3.04", /leading zero/],
    ["127.1", /four decimal parts/],
    ["2130706433", /hex and integer forms/],
    ["0x7f.0.0.1", /hex and integer forms|not an IP address/],
    ["256.1.1.1", /larger than 255/],
    ["1.2.3.4.", /four decimal parts/],
    [" 1.2.3.4", /not an IP address/],
    ["1.2.3.4 ", /not an IP address/],
    ["１２７.0.0.1", /not an IP address/],
    ["fe80::1%eth0", /zone id/],
    ["1:::2", /empty group/],
    ["1::2::3", /only once/],
    [":1:2:3:4:5:6:7", /empty group/],
    ["1:2:3:4:5:6:7:8:9", /9 groups/],
    ["1:2:3:4:5:6:7:8::", /at least one group/],
    ["12345::", /1–4 hex digits/],
    ["::ffff:010.0.0.1", /embedded IPv4 part/],
    ["1.2.3.4::", /embedded IPv4 part/],
    ["", /empty/],
    [`::${"0".repeat(50)}`, /longer than any address/],
  ];
  it.each(invalid)("rejects %j", (text, why) => {
    const r = parseAddressRaw(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it("reads IPv4-mapped IPv6 as the IPv4 address it carries, and other embeddings as IPv6", () => {
    const mapped = parseAddress("::ffff:192.0.2.1");
    expect(mapped).toEqual({ ok: true, value: { family: 4, value: 0xc0000201n, mapped: true } });
    expect(parseAddress("::FFFF:c000:201")).toEqual(mapped);
    expect(parseAddress("::192.0.2.1")).toMatchObject({ ok: true, value: { family: 6, mapped: false } });
    expect(parseAddress("64:ff9b::192.0.2.1")).toMatchObject({ ok: true, value: { family: 6 } });
  });
});

describe("parsePrefix", () => {
  it.each([
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["2001:db8::/32", "2001:db8::/32"],
    ["::ffff:192.0.2.0/120", "192.0.2.0/24"],
    ["::ffff:c000:200/120", "192.0.2.0/24"],
    ["::ffff:0:0/96", "0.0.0.0/0"],
    ["::/0", "::/0"],
  ])("reads %s as %s", (text, canonical) => {
    const r = parsePrefix(text);
    expect(r.ok && formatPrefix(r.value)).toBe(canonical);
  });

  it.each([
    ["10.0.0.1/8", "host-bits", "`10.0.0.0/8`"],
    ["2001:db8::1/32", "host-bits", "`2001:db8::/32`"],
    ["10.0.0.0/08", "prefix-length", undefined],
    ["10.0.0.0/33", "prefix-length", undefined],
    ["10.0.0.0/-0", "prefix-length", undefined],
    ["10.0.0.0/+8", "prefix-length", undefined],
    ["10.0.0.0/ 8", "prefix-length", undefined],
    ["10.0.0.0/", "prefix-length", undefined],
    ["::/129", "prefix-length", undefined],
    ["010.0.0.0/8", "address", undefined],
  ])("rejects %s (%s)", (text, problem, hint) => {
    const r = parsePrefix(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem).toBe(problem);
      if (hint !== undefined) expect(r.hint).toContain(hint);
    }
  });
});

describe("formatting round trips (property)", () => {
  const v4 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n });
  const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });

  it("parse(format(x)) == x for IPv4 and IPv6", () => {
    fc.assert(
      fc.property(v4, (x) => {
        const r = parseAddressRaw(formatAddress(4, x));
        return r.ok && r.value.family === 4 && r.value.value === x;
      }),
      { seed: 20261123, numRuns: 2000 },
    );
    fc.assert(
      fc.property(v6, (x) => {
        const r = parseAddressRaw(formatAddress(6, x));
        return r.ok && r.value.family === 6 && r.value.value === x;
      }),
      { seed: 20261123, numRuns: 2000 },
    );
  });

  it("agrees with node:net isIP on random address-like strings, except that it is stricter", () => {
    const chars = fc.constantFrom(..."0123456789abcdefABCDEF:.%x ".split(""));
    const text = fc.oneof(
      fc.string({ unit: chars, maxLength: 45 }),
      v4.map((x) => formatAddress(4, x)),
      v6.map((x) => formatAddress(6, x)),
    );
    fc.assert(
      fc.property(text, (s) => {
        // Everything we accept, Node accepts too; the strict pattern accepts exactly what the parser does.
        const ours = parseAddressRaw(s).ok;
        if (ours && isIP(s) === 0) return false;
        return pattern.test(s) === ours;
      }),
      { seed: 7, numRuns: 20000 },
    );
  });
});
