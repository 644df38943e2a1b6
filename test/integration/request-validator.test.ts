import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { unpackBundle } from "../../wasm/bundle.js";
import { DECISION_ENTRYPOINT } from "../../wasm/authorizer.js";
import type { Decision } from "../../wasm/decision.js";
import { nestsDeeperThan, snapshotRequest, validateRequest, wellFormedJson } from "../../wasm/request-validator.js";
import { QUICKSTART_REQUESTS, quickstartBundle } from "../helpers/bundles.js";

let policy: LoadedPolicy;

/**
 * The decision of one entry point for the JSON text the runtime sends, evaluated by the SDK
 * directly (no Gatehouse runtime in between).
 */
function entry(name: string, input: unknown): Decision {
  const text = wellFormedJson(JSON.stringify(input));
  const rs = policy.evaluate(new TextEncoder().encode(text).buffer, name) as Array<{ result: Decision }>;
  return rs[0]!.result;
}

beforeAll(async () => {
  const files = await unpackBundle((await quickstartBundle()).bytes);
  policy = await loadPolicy(files.wasm, { initial: 16 });
  policy.setData(files.data.slice().buffer);
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const FIELD_PATHS: ReadonlyArray<readonly string[]> = [
  ["user"],
  ["user", "id"],
  ["user", "userType"],
  ["user", "profile"],
  ["user", "permissionSets"],
  ["user", "permissionSets", "0"],
  ["app"],
  ["app", "clientId"],
  ["channel"],
  ["grant"],
  ["sourceIp"],
  ["login"],
  ["session"],
  ["session", "originIp"],
  ["session", "highAssurance"],
  ["session", "identityVerified"],
  ["site"],
  ["priorAuthorization"],
];

const ADDRESSES = [
  "198.51.100.7",
  "2001:db8::1",
  "2001:DB8::1",
  "::",
  "::1",
  "::ffff:198.51.100.7",
  "::ffff:0:198.51.100.7",
  "64:ff9b::198.51.100.7",
  "010.0.0.1",
  "1.2.3",
  "1.2.3.4.5",
  "256.1.1.1",
  "0x7f.0.0.1",
  "127.1",
  "2130706433",
  "fe80::1%eth0",
  "1.2.3.4/32",
  " 1.2.3.4",
  "1.2.3.4\n",
  "::ffff:1.2.3.04",
  "1:2:3:4:5:6:7:8:9",
  "1::2::3",
  "[::1]",
  "\uff12.1.1.1",
  "1:2:3:4:5:6:7::",
  "::1:2:3:4:5:6:7",
  "1:2:3:4:5:6:1.2.3.4",
  "00000:1::",
  "",
];

const ENUM_WORDS = ["Standard", "standard", "STANDARD", "Guest", "guest", "api", "API", "Api", "ui", "UI"];
const GRANTS = ["jwt_bearer", "JWT_BEARER", "Jwt_Bearer", "password", "session", "soap_login", "web_server", "device"];

/** Hostile and borderline values for any field. */
const value: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(0, 1, -1, 1.5, 1e308),
  fc.constantFrom(...ADDRESSES),
  fc.constantFrom(...ENUM_WORDS, ...GRANTS),
  fc.constantFrom("", " ", "Integration", "Sales User", "ERP_API", "3MVG9erpSyncNorthwind", "partners"),
  fc.constantFrom(
    "x".repeat(255),
    "x".repeat(256),
    "\u{1F600}".repeat(128),
    "\u{1F600}".repeat(255),
    "\ud800",
    "a\u0000b",
  ),
  fc.string({ maxLength: 8 }),
  fc.string({ maxLength: 4, unit: "binary" }),
  fc.constantFrom<Json>([], ["ERP_API"], [""], [1], [null], {}, { clientId: "x" }, { clientId: "" }),
  fc.constantFrom<Json>({ userType: "Standard", profile: "Integration" }, { userType: "Standard" }),
);

type Mutation =
  | { readonly kind: "set"; readonly path: readonly string[]; readonly value: Json }
  | { readonly kind: "delete"; readonly path: readonly string[] }
  | { readonly kind: "unknown"; readonly path: readonly string[]; readonly key: string; readonly value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), path: fc.constantFrom(...FIELD_PATHS), value }),
  fc.record({ kind: fc.constant("delete" as const), path: fc.constantFrom(...FIELD_PATHS) }),
  fc.record({
    kind: fc.constant("unknown" as const),
    path: fc.constantFrom<readonly string[]>([], ["user"], ["app"], ["session"]),
    key: fc.constantFrom("extra", "User", "sourceip", "__proto__", "toJSON", "constructor", "permissionsets"),
    value,
  }),
);

function parentOf(root: Json, path: readonly string[]): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = Array.isArray(node) ? node[Number(key)] : node[key];
  }
  return node;
}

function apply(request: Json, m: Mutation): void {
  const parent = parentOf(request, m.kind === "unknown" ? m.path : m.path.slice(0, -1));
  if (typeof parent !== "object" || parent === null) return;
  const key = m.kind === "unknown" ? m.key : m.path[m.path.length - 1]!;
  const record = parent as Record<string, Json>;
  if (m.kind === "delete") delete record[key];
  else Object.defineProperty(record, key, { value: m.value, enumerable: true, writable: true, configurable: true });
}

const validRequest: fc.Arbitrary<Json> = fc
  .record({
    base: fc.constantFrom(...QUICKSTART_REQUESTS.filter((r) => validateRequest(r))),
    site: fc.option(fc.constantFrom("partners", "x".repeat(255)), { nil: undefined }),
    session: fc.option(
      fc.record({ originIp: fc.constantFrom(...ADDRESSES.slice(0, 8)), highAssurance: fc.boolean() }),
      { nil: undefined },
    ),
  })
  .map(({ base, site, session }) => {
    const r = structuredClone(base) as Record<string, Json>;
    if (site !== undefined) r.site = site;
    if (session !== undefined) r.session = session;
    return r;
  });

describe("the precompiled request validator", () => {
  it("accepts every valid quick-start request and refuses the one invalid request", () => {
    expect(QUICKSTART_REQUESTS.map((r) => validateRequest(r))).toEqual(
      QUICKSTART_REQUESTS.map((r) => entry(DECISION_ENTRYPOINT, r).reasons[0]?.code !== "INPUT_INVALID"),
    );
    expect(QUICKSTART_REQUESTS.filter((r) => !validateRequest(r))).toHaveLength(1);
  });

  it("agrees with the policy's own validation on every request: the runtime refuses exactly what the policy refuses (property, seeded)", () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(validRequest, fc.array(mutation, { minLength: 1, maxLength: 3 }), (base, mutations) => {
        const request = structuredClone(base);
        for (const m of mutations) apply(request, m);
        // The policy sees JSON, so judge the JSON value (a `__proto__` key survives the round trip).
        const json = JSON.parse(JSON.stringify(request)) as Json;
        const runtime = validateRequest(json);
        const policy = entry(DECISION_ENTRYPOINT, json).reasons[0]?.code !== "INPUT_INVALID";
        expect(runtime, JSON.stringify(json)).toBe(policy);
        if (runtime) accepted++;
        else refused++;
      }),
      { seed: 20261123, numRuns: 2500 },
    );
    // Both sides are exercised, so the property is not vacuous.
    expect(accepted).toBeGreaterThan(250);
    expect(refused).toBeGreaterThan(250);
  });
});

describe("snapshotRequest", () => {
  const valid = QUICKSTART_REQUESTS[0] as Record<string, unknown>;

  it("copies own enumerable data down the request's shape, so validation and JSON see one value", () => {
    class Smuggler {
      user = valid.user;
      app = valid.app;
      channel = valid.channel;
      grant = valid.grant;
      sourceIp = valid.sourceIp;
      login = valid.login;
      toJSON(): unknown {
        return { ...valid, login: "yes" };
      }
    }
    const snap = snapshotRequest(new Smuggler());
    expect(validateRequest(snap)).toBe(true);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(valid);

    const inherited = Object.create(valid) as object;
    expect(JSON.stringify(snapshotRequest(inherited))).toBe("{}");
    expect(validateRequest(snapshotRequest(inherited))).toBe(false);

    let reads = 0;
    const flipping = {
      ...valid,
      get login(): unknown {
        return reads++ === 0 ? true : "yes";
      },
    };
    const once = snapshotRequest(flipping);
    expect(validateRequest(once)).toBe(true);
    expect(JSON.stringify(once)).toBe(JSON.stringify(valid));
    expect(reads).toBe(1);
  });

  it("copies nested objects and the permission set list rather than sharing them", () => {
    const request = {
      ...valid,
      user: { userType: "Standard", profile: "Integration", permissionSets: ["ERP_API"] },
      session: { highAssurance: true },
    };
    const snap = snapshotRequest(request) as typeof request & { app: unknown };
    expect(snap).toEqual(request);
    expect(snap.user).not.toBe(request.user);
    expect(snap.user.permissionSets).not.toBe(request.user.permissionSets);
    expect(snap.app).toEqual(valid.app);
    expect(snap.app).not.toBe(valid.app);
    expect(snap.session).not.toBe(request.session);
  });
});

describe("wellFormedJson", () => {
  it.each([
    [JSON.stringify("a\\ud800"), '"a\\\\ud800"'],
    [JSON.stringify("\ud800"), '"\\ufffd"'],
    [JSON.stringify("x\udfffy\\ud800"), '"x\\ufffdy\\\\ud800"'],
    [JSON.stringify({ ["k\udc00"]: "\u{1F600}\u0000" }), '{"k\\ufffd":"\u{1F600}\\u0000"}'],
  ])("%s becomes %s", (json, want) => {
    expect(wellFormedJson(json)).toBe(want);
    expect(() => JSON.parse(wellFormedJson(json)) as unknown).not.toThrow();
  });
});

describe("nestsDeeperThan", () => {
  it.each([
    ["{}", 1, false],
    ['{"a":[{}]}', 3, false],
    ['{"a":[{}]}', 2, true],
    ['{"a":"[[[[[[[["}', 1, false],
    ['{"a":"\\"[[[["}', 1, false],
    ['[[["\\\\"]]]', 3, false],
    ["[".repeat(65) + "]".repeat(65), 64, true],
  ])("%s deeper than %d: %s", (json, limit, want) => {
    expect(nestsDeeperThan(json, limit)).toBe(want);
  });
});
