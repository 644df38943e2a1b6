/**
 * The policy's own address parser (lookup tables in Rego) against the TypeScript one, on random
 * address-like strings: the WebAssembly, opa eval and the strict parser must agree on which
 * strings are addresses, and on which of them lie in a set of ranges with many prefix lengths.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAddress, parseAddress, parseAddressRaw } from "../../core/address.js";
import type { Decision } from "../../wasm/index.js";
import { compileText } from "../helpers/compile-text.js";
import { topdownDecisions } from "../helpers/topdown.js";
import { authorizerForEmitted } from "../helpers/wasm-bundle.js";

const RANGES = [
  "10.0.0.0/8",
  "192.0.2.128/25",
  "198.51.100.7",
  "203.0.113.64/26",
  "2001:db8::/33",
  "2001:db8:8000::/36",
  "::1",
  "fe80::/10",
  "2002::/16",
];
const POLICY = [
  "kind: Org",
  "name: org",
  "---",
  "kind: Profile",
  "name: P",
  "permissions: [ApiEnabled]",
  `loginIpRanges: [${RANGES.map((r) => JSON.stringify(r)).join(", ")}]`,
  "---",
  "kind: ConnectedApp",
  "name: app",
  "clientIds: [c]",
  "",
].join("\n");

const chars = fc.constantFrom(..."0123456789abcdefABCDEF:.".split(""), "%", " ", "x", "-", "\u0000", "１");
const v4 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n });
const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
const near = fc.constantFrom(0x0a000000n, 0x0affffffn, 0xc0000280n, 0xc00002ffn, 0xcb007140n, 0xcb00717fn);
const text = fc.oneof(
  fc.string({ unit: chars, maxLength: 46 }),
  v4.map((x) => formatAddress(4, x)),
  near.chain((x) => fc.integer({ min: -2, max: 2 }).map((d) => formatAddress(4, (x + BigInt(d)) & 0xffffffffn))),
  v4.map((x) => `::ffff:${formatAddress(4, x)}`),
  v6.map((x) => formatAddress(6, x)),
  v6.map((x) => formatAddress(6, (0x20010db8n << 96n) | (x >> 33n))),
  v6.map((x) => formatAddress(6, x).toUpperCase()),
  v6.map((x) => formatAddress(6, x).replace("::", ":0:").replace(/^:/, "0:")),
);

function inRanges(s: string): boolean {
  const a = parseAddress(s);
  if (!a.ok) return false;
  return RANGES.some((r) => {
    const [addr, len] = r.includes("/") ? r.split("/") : [r, undefined];
    const base = parseAddress(addr);
    if (!base.ok || base.value.family !== a.value.family) return false;
    const width = a.value.family === 4 ? 32 : 128;
    const bits = BigInt(width - Number(len ?? width));
    return base.value.value >> bits === a.value.value >> bits;
  });
}

describe("address parsing in the policy", () => {
  it("agrees with the strict parser and the range scan, in WebAssembly and in opa eval", async () => {
    const c = compileText({ "policy.yaml": POLICY });
    const authorizer = await authorizerForEmitted(c.emitted!);
    const samples = fc.sample(text, { seed: 77, numRuns: 5000 });
    const request = (sourceIp: string): unknown => ({
      user: { userType: "Standard", profile: "P" },
      app: { clientId: "c" },
      channel: "api",
      grant: "jwt_bearer",
      sourceIp,
      login: true,
    });
    const expected = (s: string): string[] =>
      !parseAddressRaw(s).ok ? ["INPUT_INVALID"] : inRanges(s) ? [] : ["IP_OUTSIDE_LOGIN_RANGES"];
    const codes = (d: Decision): string[] => d.reasons.map((r) => r.code);

    // Through the runtime's validated path and through the policy's own validation.
    for (const s of samples) {
      expect(codes(authorizer.decide(request(s))), JSON.stringify(s)).toEqual(expected(s));
      expect(codes(authorizer.decideJson(JSON.stringify(request(s)))), JSON.stringify(s)).toEqual(expected(s));
    }
    const topdown = topdownDecisions(c.emitted!, samples.map(request));
    topdown.forEach((d, i) => expect(codes(d), JSON.stringify(samples[i])).toEqual(expected(samples[i]!)));
    const valid = samples.filter((s) => parseAddressRaw(s).ok);
    expect(valid.length).toBeGreaterThan(2500);
    expect(valid.filter(inRanges).length).toBeGreaterThan(300);
  }, 120_000);
});
