import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAddress, parseAddress, toHex } from "../../core/address.js";
import { hostAddresses, hostAddressHex } from "../../wasm/host-address.js";

/** What the runtime's string-based parser must give: core/address.ts's parse, as family and hex. */
function reference(text: string): { family: "v4" | "v6"; hex: string } | undefined {
  const parsed = parseAddress(text);
  if (!parsed.ok) return undefined;
  return { family: `v${parsed.value.family}`, hex: toHex(parsed.value.family, parsed.value.value) };
}

const hexDigit = fc.constantFrom(..."0123456789abcdefABCDEF");
/** Text made of what addresses are made of, plus a few characters they must not hold. */
const addressLike = fc
  .array(fc.oneof(hexDigit, fc.constantFrom(":", ":", ".", ".", "::", "%", " ", "x", "0", "1", "25", "255", "256")), {
    maxLength: 24,
  })
  .map((parts) => parts.join(""));
const v4Value = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n });
const v6Value = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
/** Valid addresses in every written form: dotted quads, RFC 5952 IPv6, mapped, embedded quads, upper case, full groups. */
const validAddress = fc.oneof(
  v4Value.map((v) => formatAddress(4, v)),
  v6Value.map((v) => formatAddress(6, v)),
  v6Value.map((v) => formatAddress(6, v).toUpperCase()),
  v6Value.map((v) => toHex(6, v).match(/.{4}/g)!.join(":")),
  v4Value.map((v) => `::ffff:${formatAddress(4, v)}`),
  v4Value.map((v) => `::FFFF:${formatAddress(6, (0xffffn << 32n) | v).slice(7)}`),
  fc.tuple(v6Value, v4Value).map(([hi, lo]) => {
    const groups = toHex(6, hi).match(/.{4}/g)!.slice(0, 6).join(":");
    return `${groups}:${formatAddress(4, lo)}`;
  }),
  fc.tuple(fc.nat({ max: 5 }), v4Value).map(([n, lo]) => `${n === 0 ? ":" : "1:".repeat(n)}:${formatAddress(4, lo)}`),
);

describe("the runtime's host address parsing agrees with core/address.ts", () => {
  it("on valid addresses in every written form", () => {
    fc.assert(
      fc.property(validAddress, (text) => {
        expect(reference(text), text).toBeDefined();
        expect(hostAddressHex(text), text).toEqual(reference(text));
      }),
      { numRuns: 10_000 },
    );
  });

  it("on address-like text, mostly malformed", () => {
    fc.assert(
      fc.property(addressLike, (text) => {
        expect(hostAddressHex(text), text).toEqual(reference(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    "010.0.0.1",
    "1.2.3.04",
    "127.1",
    "2130706433",
    "256.1.1.1",
    "1.2.3.4.",
    " 1.2.3.4",
    "fe80::1%eth0",
    "1:::2",
    "1::2::3",
    ":1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7:8::",
    "1:2:3:4:5:6:7::8",
    "1:2:3:4::5:6:7:8",
    "::1:2:3:4:5:6:7:8",
    "1::2:3:4:5:6:1.2.3.4",
    "1::2::3:4",
    "::1::",
    ":::",
    "1.2.3.4%eth0",
    "::1.2.3.4%eth0",
    "1:2:3:4:5:6:7::1.2.3.4",
    "12345::",
    "::ffff:010.0.0.1",
    "1.2.3.4::",
    "1.2:3",
    "",
    `::${"0".repeat(50)}`,
  ])("refuses %j as core/address.ts does", (text) => {
    expect(reference(text)).toBeUndefined();
    expect(hostAddressHex(text)).toBeUndefined();
  });

  it.each([
    ["10.1.2.3", "v4", "0a010203"],
    ["::ffff:192.0.2.1", "v4", "c0000201"],
    ["::FFFF:c000:201", "v4", "c0000201"],
    ["::192.0.2.1", "v6", "000000000000000000000000c0000201"],
    ["2001:DB8::1", "v6", "20010db8000000000000000000000001"],
    ["1:2:3:4:5:6:7::", "v6", "00010002000300040005000600070000"],
  ])("reads %s as %s %s", (text, family, hex) => {
    expect(hostAddressHex(text)).toEqual({ family, hex });
  });

  it("appends the source and origin addresses, and nothing when either does not parse", () => {
    expect(hostAddresses({ sourceIp: "10.0.0.1" })).toBe('"$addr":{"family":"v4","hex":"0a000001"}');
    expect(hostAddresses({ sourceIp: "10.0.0.1", session: { originIp: "::1" } })).toBe(
      `"$addr":{"family":"v4","hex":"0a000001"},"$origin":{"family":"v6","hex":"${"0".repeat(31)}1"}`,
    );
    expect(hostAddresses({ sourceIp: "10.0.0.1", session: { originIp: "10.0.0.01" } })).toBeUndefined();
    expect(hostAddresses({ sourceIp: "10.0.0" })).toBeUndefined();
    expect(hostAddresses({ sourceIp: 167772161 })).toBeUndefined();
  });
});
