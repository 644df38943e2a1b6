import fc from "fast-check";
import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { STRICT_ADDRESS_PATTERN } from "../../core/address-pattern.js";
import {
  formatAddress,
  formatPrefix,
  isStrictAddress,
  parseAddress,
  parseAddressRaw,
  parsePrefix,
  prefixBounds,
  toHex,
} from "../../core/address.js";

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

describe("address limits and edges (each test pins one rule)", () => {
  it("a prefix length with trailing text (`10.0.0.0/2x`) is a diagnostic, never a thrown error", () => {
    for (const text of ["10.0.0.0/2x", "10.0.0.0/8x", "::/1x", "10.0.0.0/x2", "10.0.0.0/1234"]) {
      let r: ReturnType<typeof parsePrefix> | undefined;
      expect(() => (r = parsePrefix(text))).not.toThrow();
      expect([text, r]).toMatchObject([text, { ok: false, problem: "prefix-length" }]);
    }
  });

  it("full-width prefixes parse: /32 for IPv4 and /128 for IPv6", () => {
    expect(parsePrefix("192.0.2.1/32")).toEqual({ ok: true, value: { family: 4, value: 0xc0000201n, length: 32 } });
    expect(parsePrefix("2001:db8::1/128")).toEqual({
      ok: true,
      value: { family: 6, value: (0x20010db8n << 96n) | 1n, length: 128 },
    });
    expect(parsePrefix("::ffff:192.0.2.1/128")).toEqual({
      ok: true,
      value: { family: 4, value: 0xc0000201n, length: 32 },
    });
  });

  it("the longest legal address text (45 characters) parses; one character more is refused for its length", () => {
    const longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
    expect(longest).toHaveLength(45);
    expect(parseAddressRaw(longest)).toEqual({ ok: true, value: { family: 6, value: (1n << 128n) - 1n } });
    const longer = "0ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
    expect(parseAddressRaw(longer)).toEqual({
      ok: false,
      error: "`0ffff:ffff:ffff:ffff…` is longer than any address (45 characters)",
      problem: "address",
    });
  });

  it("RFC 5952: a single zero group is written out, never compressed to `::`", () => {
    expect(formatAddress(6, 0x0001_0000_0002_0003_0004_0005_0006_0007n)).toBe("1:0:2:3:4:5:6:7");
    expect(formatAddress(6, 0x0001_0002_0003_0004_0005_0006_0007_0000n)).toBe("1:2:3:4:5:6:7:0");
  });

  it("RFC 5952: a run of exactly two zero groups is compressed", () => {
    expect(formatAddress(6, 0x0001_0000_0000_0002_0003_0004_0005_0006n)).toBe("1::2:3:4:5:6");
    expect(formatAddress(6, 0x0001_0002_0003_0004_0005_0006_0000_0000n)).toBe("1:2:3:4:5:6::");
  });

  it("RFC 5952: of two equally long zero runs the first is compressed; a longer later run wins", () => {
    expect(formatAddress(6, 0x0001_0000_0000_0002_0000_0000_0003_0004n)).toBe("1::2:0:0:3:4");
    expect(formatAddress(6, 0x0001_0000_0000_0002_0000_0000_0000_0003n)).toBe("1:0:0:2::3");
  });
});

describe("every refusal says what is wrong, and how to fix it when there is one way", () => {
  type Failure = { error: string; hint?: string; problem: string };
  const addresses: Array<[string, Failure]> = [
    [
      "127.1",
      {
        error: "`127.1` is not an IPv4 address: it needs four decimal parts",
        hint: "write all four parts, e.g. `127.0.0.1` rather than `127.1`",
        problem: "address",
      },
    ],
    [
      "1.2.3.1034",
      { error: "`1.2.3.1034` is not an IPv4 address: `1034` is not a decimal number 0–255", problem: "address" },
    ],
    ["1..3.4", { error: "`1..3.4` is not an IPv4 address: `` is not a decimal number 0–255", problem: "address" }],
    [
      "010.0.0.1",
      {
        error: "`010.0.0.1` has a leading zero in `010`, which some parsers read as octal",
        hint: "write `10` if decimal was meant",
        problem: "address",
      },
    ],
    [
      "::1.2.3.00x",
      {
        error:
          "`::1.2.3.00x` has an invalid embedded IPv4 part: `1.2.3.00x` is not an IPv4 address: `00x` is not a decimal number 0–255",
        problem: "address",
      },
    ],
    [
      "::1.2.3.256",
      {
        error:
          "`::1.2.3.256` has an invalid embedded IPv4 part: `1.2.3.256` is not an IPv4 address: `256` is larger than 255",
        problem: "address",
      },
    ],
    [
      "fe80::1%eth0",
      {
        error: "`fe80::1%eth0` has a zone id, which is not allowed in a policy address",
        hint: "remove the `%…` suffix",
        problem: "address",
      },
    ],
    [
      "2130706433",
      {
        error: "`2130706433` is not an IPv4 address: hex and integer forms are not accepted",
        hint: "write the dotted quad, e.g. `127.0.0.1`",
        problem: "address",
      },
    ],
    [
      "0X7f000001",
      {
        error: "`0X7f000001` is not an IPv4 address: hex and integer forms are not accepted",
        hint: "write the dotted quad, e.g. `127.0.0.1`",
        problem: "address",
      },
    ],
    ["1.0x0.0.1", { error: "`1.0x0.0.1` is not an IP address", problem: "address" }],
    [
      "1:2:3:4:5:6:7:8::",
      {
        error: "`1:2:3:4:5:6:7:8::` is not an IPv6 address: `::` must stand for at least one group",
        problem: "address",
      },
    ],
    ["1::2::3", { error: "`1::2::3` is not an IPv6 address: `::` may appear only once", problem: "address" }],
    ["1:2:3:4:5:6:7", { error: "`1:2:3:4:5:6:7` is not an IPv6 address: it has 7 groups, not 8", problem: "address" }],
    ["g::1", { error: "`g::1` is not an IPv6 address: `g` is not a group of 1–4 hex digits", problem: "address" }],
    ["1::g", { error: "`1::g` is not an IPv6 address: `g` is not a group of 1–4 hex digits", problem: "address" }],
    ["1:::2", { error: "`1:::2` is not an IPv6 address: it has an empty group", problem: "address" }],
    ["host", { error: "`host` is not an IP address", problem: "address" }],
    ["", { error: "the address is empty", problem: "address" }],
  ];
  it.each(addresses)("address %j", (text, failure) => {
    expect(parseAddressRaw(text)).toStrictEqual({ ok: false, ...failure });
    expect(parseAddress(text)).toStrictEqual({ ok: false, ...failure });
    expect(isStrictAddress(text)).toBe(false);
  });

  const prefixes: Array<[string, Failure]> = [
    ["10.0.0.0", { error: "`10.0.0.0` is not a CIDR prefix: it has no `/length`", problem: "prefix-length" }],
    ["/8", { error: "the address is empty", problem: "address" }],
    ["x/8", { error: "`x` is not an IP address", problem: "address" }],
    [
      "10.0.0.0/",
      {
        error: "`10.0.0.0/` has no prefix length after the `/`",
        hint: "write the length, e.g. `10.0.0.0/32` for just this address, or drop the `/`",
        problem: "prefix-length",
      },
    ],
    [
      "10.0.0.0/08",
      {
        error: "`10.0.0.0/08` has a leading zero in its prefix length `08`",
        hint: "write `10.0.0.0/8`",
        problem: "prefix-length",
      },
    ],
    [
      "10.0.0.0/33",
      { error: "`10.0.0.0/33` has prefix length 33, but an IPv4 prefix is at most 32 bits", problem: "prefix-length" },
    ],
    [
      "::/129",
      { error: "`::/129` has prefix length 129, but an IPv6 prefix is at most 128 bits", problem: "prefix-length" },
    ],
    [
      "10.0.0.0/100",
      {
        error: "`10.0.0.0/100` has prefix length 100, but an IPv4 prefix is at most 32 bits",
        problem: "prefix-length",
      },
    ],
    [
      "10.0.0.0/008",
      {
        error: "`10.0.0.0/008` has a leading zero in its prefix length `008`",
        hint: "write `10.0.0.0/8`",
        problem: "prefix-length",
      },
    ],
    [
      "10.0.0.0/08x",
      {
        error: "`10.0.0.0/08x` has an invalid prefix length `08x`: it must be a decimal number 0–32",
        problem: "prefix-length",
      },
    ],
    [
      "10.0.0.0/+40",
      {
        error: "`10.0.0.0/+40` has an invalid prefix length `+40`: it must be a decimal number 0–32",
        problem: "prefix-length",
      },
    ],
    [
      "10.0.0.0/40 ",
      {
        error: "`10.0.0.0/40 ` has an invalid prefix length `40 `: it must be a decimal number 0–32",
        problem: "prefix-length",
      },
    ],
    [
      "10.0.0.0/-8",
      {
        error: "`10.0.0.0/-8` has an invalid prefix length `-8`: it must be a decimal number 0–32",
        problem: "prefix-length",
      },
    ],
    [
      "10.0.0.1/8",
      { error: "`10.0.0.1/8` has host bits set", hint: "the prefix is `10.0.0.0/8`", problem: "host-bits" },
    ],
  ];
  it.each(prefixes)("prefix %j", (text, failure) => {
    expect(parsePrefix(text)).toStrictEqual({ ok: false, ...failure });
  });

  it("accepts what it parses: isStrictAddress, and prefixBounds spans the prefix", () => {
    expect(isStrictAddress("192.0.2.1")).toBe(true);
    const p = parsePrefix("192.0.2.0/24");
    expect(p.ok && prefixBounds(p.value)).toEqual({ first: 0xc0000200n, last: 0xc00002ffn });
  });
});
