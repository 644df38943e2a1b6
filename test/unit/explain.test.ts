/**
 * The host's half of the runtime entry point's answers (wasm/explain.ts): the explanation table
 * is checked when read, and a compact decision is expanded from it and the request, or denied
 * with EVALUATION_ERROR when anything it needs is missing.
 */
import { describe, expect, it } from "vitest";
import { EXPLAIN_FILE, expandDecision, readExplainTable, type ExplainTable } from "../../wasm/explain.js";

const REVISION = "r1";
const ORG = { file: "org.yaml", kind: "Org", line: 1, name: "acme" };
const PROFILE = { file: "profiles.yaml", kind: "Profile", line: 3, name: "Sales" };
const APP = { file: "apps.yaml", kind: "ConnectedApp", line: 9, name: "erp" };

const TABLE = {
  revision: REVISION,
  reasons: {
    ALL: {
      code: "IP_OUTSIDE_LOGIN_RANGES",
      control: "login-ip-ranges",
      source: "profile",
      message: "{profile}|{clientId}|{sourceIp}|{originIp}|{grant}|{site}|{app}|{relaxation}",
    },
    ORG: { code: "SESSION_IP_MISMATCH", control: "session", source: "org", message: "org" },
    APP: { code: "APP_BLOCKED", control: "connected-app", source: "app", message: "app `{app}`" },
    NONE: { code: "APP_UNKNOWN", control: "connected-app", source: null, message: "`{clientId}`" },
  },
  notes: { N: { code: "IDENTITY_VERIFICATION_REQUIRED", message: "from `{sourceIp}`" } },
  org: ORG,
  profiles: { Sales: PROFILE },
  apps: { k1: { ipRelaxation: "BYPASS", source: APP } },
};

const REQUEST = {
  user: { userType: "Standard", profile: "Sales" },
  app: { clientId: "k1" },
  channel: "api",
  grant: "web_server",
  sourceIp: "203.0.113.7",
  login: true,
  session: { originIp: "198.51.100.1" },
  site: "partners",
};

function table(value: unknown = TABLE): ExplainTable {
  return readExplainTable(new Map([[EXPLAIN_FILE, new TextEncoder().encode(JSON.stringify(value))]]), REVISION)!;
}

const compact = (reasons: unknown[], notes: unknown[] = []): object => ({
  allow: reasons.length === 0,
  reasons,
  notes,
  revision: REVISION,
});

const unexplained = (why: string): object => ({
  allow: false,
  reasons: [
    {
      code: "EVALUATION_ERROR",
      message: `the decision cannot be explained: ${why}`,
      control: "runtime",
      source: null,
    },
  ],
  notes: [],
  revision: "manifest",
});

/** The error `f` throws. */
function refusal(f: () => unknown): { code: string; message: string; cause?: unknown } {
  try {
    f();
  } catch (error) {
    return error as { code: string; message: string; cause?: unknown };
  }
  throw new Error("nothing was thrown");
}

describe("the explanation table", () => {
  it("is absent from a bundle without the file", () => {
    expect(readExplainTable(new Map(), REVISION)).toBeUndefined();
  });

  it("expands every placeholder from the request and the request's app, and cites each source", () => {
    const decision = expandDecision(compact(["ALL", "ORG", "APP", "NONE"], ["N"]), REQUEST, table(), "manifest");
    expect(JSON.stringify(decision)).toBe(
      JSON.stringify({
        allow: false,
        notes: [{ code: "IDENTITY_VERIFICATION_REQUIRED", message: "from `203.0.113.7`" }],
        reasons: [
          {
            code: "IP_OUTSIDE_LOGIN_RANGES",
            control: "login-ip-ranges",
            message: "Sales|k1|203.0.113.7|198.51.100.1|web_server|partners|erp|BYPASS",
            source: PROFILE,
          },
          { code: "SESSION_IP_MISMATCH", control: "session", message: "org", source: ORG },
          { code: "APP_BLOCKED", control: "connected-app", message: "app `erp`", source: APP },
          { code: "APP_UNKNOWN", control: "connected-app", message: "`k1`", source: null },
        ],
        revision: REVISION,
      }),
    );
  });

  it("replaces placeholders in one pass: a value that reads like a placeholder is quoted as written", () => {
    const request = { ...REQUEST, app: { clientId: "{profile}" } };
    expect(expandDecision(compact(["NONE"]), request, table(), "manifest").reasons[0]?.message).toBe("`{profile}`");
  });

  it("keeps an allow with notes allowed", () => {
    expect(expandDecision(compact([], ["N"]), REQUEST, table(), "manifest")).toEqual({
      allow: true,
      notes: [{ code: "IDENTITY_VERIFICATION_REQUIRED", message: "from `203.0.113.7`" }],
      reasons: [],
      revision: REVISION,
    });
  });

  it.each([
    ["a profile the table lacks", { ...REQUEST, user: { profile: "Other" } }, ["ALL"], "no source for the profile"],
    [
      "a profile only inherited",
      { ...REQUEST, user: { profile: "__proto__" } },
      ["ORG", "ALL"],
      "no source for the profile",
    ],
    ["no site to quote", { ...REQUEST, site: undefined }, ["ALL"], "no text for the placeholder `{site}`"],
    ["no origin to quote", { ...REQUEST, session: {} }, ["ALL"], "no text for the placeholder `{originIp}`"],
    ["an app the table lacks", { ...REQUEST, app: { clientId: "k2" } }, ["APP"], "no connected app `k2`"],
    ["no app at all", { ...REQUEST, app: null }, ["APP"], "no connected app `undefined`"],
    ["a request that is no object", "text", ["ORG"], "the request is not an object"],
  ])("is EVALUATION_ERROR for %s", (_, request, reasons, why) => {
    const decision = expandDecision(compact(reasons), request, table(), "manifest");
    expect(decision.reasons.map((r) => r.code)).toEqual(["EVALUATION_ERROR"]);
    expect(decision.reasons[0]?.message).toContain(why);
    expect(decision.revision).toBe("manifest");
  });

  it("is EVALUATION_ERROR for a source or app entry that is not an object", () => {
    const profiles = table({ ...TABLE, profiles: { Sales: "profiles.yaml" } });
    expect(expandDecision(compact(["ALL"]), REQUEST, profiles, "manifest")).toEqual(
      unexplained("the explanation table has no source for the profile"),
    );
    const apps = table({ ...TABLE, apps: { k1: "erp" } });
    expect(expandDecision(compact(["APP"]), REQUEST, apps, "manifest")).toEqual(
      unexplained("the explanation table has no connected app `k1`"),
    );
    const sources = table({ ...TABLE, apps: { k1: { ipRelaxation: "BYPASS", source: "apps.yaml" } } });
    expect(expandDecision(compact(["ORG", "APP"]), REQUEST, sources, "manifest")).toEqual(
      unexplained("no text for the placeholder `{app}`"),
    );
  });

  it.each([
    ["null", null, "the policy returned no decision"],
    ["no boolean allow", { ...compact([]), allow: 1 }, "the policy returned no decision"],
    ["no revision", { ...compact([]), revision: 1 }, "the policy returned no decision"],
    ["reasons disagreeing with allow", { ...compact(["ORG"]), allow: true }, "disagree with `allow`"],
    ["an empty deny", { ...compact([]), allow: false }, "disagree with `allow`"],
    ["a reason object", compact([{ code: "ORG" }]), "the decision's `reasons` are not a list of keys"],
    ["notes not a list", { ...compact([]), notes: "N" }, "the decision's `notes` are not a list of keys"],
    ["an unknown reason key", compact(["GONE"]), "the explanation table has no reason `GONE`"],
    ["a reason key that is a note", compact(["N"]), "the explanation table has no reason `N`"],
    ["an unknown note key", compact([], ["ORG"]), "the explanation table has no note `ORG`"],
    ["an inherited key", compact(["constructor"]), "the explanation table has no reason `constructor`"],
  ])("is EVALUATION_ERROR for an answer with %s", (_, answer, why) => {
    const decision = expandDecision(answer, REQUEST, table(), "manifest");
    expect(decision.reasons.map((r) => r.code)).toEqual(["EVALUATION_ERROR"]);
    expect(decision.reasons[0]?.message).toContain(why);
  });

  it.each([
    ["not an object", [], "it is not an object"],
    ["no notes", { ...TABLE, notes: undefined }, "it has no `notes` object"],
    ["a note that is no object", { ...TABLE, notes: { N: "x" } }, "`notes.N` has no string `code`"],
    ["no org", { ...TABLE, org: "acme" }, "it lacks the `org`, `profiles` or `apps` object"],
    ["no profiles", { ...TABLE, profiles: [] }, "it lacks the `org`, `profiles` or `apps` object"],
    ["a message that is no string", { ...TABLE, notes: { N: { code: "N", message: 1 } } }, "`N` has no string"],
  ])("refuses a table that is %s", (_, value, why) => {
    expect(() => table(value)).toThrow(why);
  });

  it("refuses bytes that are not UTF-8, even where U+FFFD would make them JSON", () => {
    const files = new Map([[EXPLAIN_FILE, new Uint8Array([0x22, 0xff, 0x22])]]);
    expect(() => readExplainTable(files, REVISION)).toThrow("`gatehouse/explain/data.json` is not valid JSON");
    const refused = refusal(() => readExplainTable(files, REVISION));
    expect(refused.code).toBe("DATA_INVALID");
    expect(refused.cause).toBeInstanceOf(TypeError);
  });

  it.each([
    ["another revision", { ...TABLE, revision: "r0" }, "it carries revision `r0`, but the manifest says `r1`"],
    ["no revision", { ...TABLE, revision: undefined }, "it carries revision `undefined`, but the manifest says `r1`"],
    [
      "a reason without a control",
      { ...TABLE, reasons: { A: { code: "A", source: null, message: "m" } } },
      "`reasons.A` has no string `control`",
    ],
    [
      "a reason citing an unknown source",
      { ...TABLE, reasons: { A: { code: "A", control: "c", source: "user", message: "m" } } },
      "`reasons.A` cites no known `source`",
    ],
    [
      "a reason without a code",
      { ...TABLE, reasons: { A: { control: "c", source: null, message: "m" } } },
      "`reasons.A` has no string `code`",
    ],
    [
      "an unknown placeholder",
      { ...TABLE, notes: { N: { code: "N", message: "a {secret} b" } } },
      "`N` has the unknown placeholder `{secret}`",
    ],
  ])("refuses, as DATA_INVALID, a table with %s", (_, value, why) => {
    const refused = refusal(() => table(value));
    expect(refused.code).toBe("DATA_INVALID");
    expect(refused.message).toBe(`\`gatehouse/explain/data.json\` is not an explanation table: ${why}`);
  });

  it("is a bundle file of a fixed path", () => {
    expect(EXPLAIN_FILE).toBe("gatehouse/explain/data.json");
  });

  it("looks up a missing client id as no entry, whatever the table's keys", () => {
    const undefinedKey = table({ ...TABLE, apps: { undefined: { ipRelaxation: "BYPASS", source: APP } } });
    expect(expandDecision(compact(["APP"]), { ...REQUEST, app: null }, undefinedKey, "manifest")).toEqual(
      unexplained("the explanation table has no connected app `undefined`"),
    );
  });
});
