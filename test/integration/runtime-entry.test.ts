/**
 * The runtime's entry point is trusted no more than the decision: whatever it answers that is
 * neither the number 1 (the plain allow) nor a decision whose reason and note keys the bundle's
 * explanation table expands is EVALUATION_ERROR, and a bundle without it, or without the table, is
 * decided through the validating entry point alone.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readArchive, writeArchive } from "../../core/bundle-archive.js";
import { EXPLAIN_FILE } from "../../wasm/explain.js";
import { hostAddressHex } from "../../wasm/host-address.js";
import { Authorizer, type Decision } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS } from "../helpers/bundles.js";
import { runOpa } from "../helpers/opa.js";
import { tempDir } from "../helpers/policy.js";

const REVISION = "r1";
const reason = (code: string): object => ({ code, message: "m", control: "session", source: null });

const ORG_SOURCE = { file: "org.yaml", kind: "Org", line: 1, name: "acme" };
const APP_SOURCE = { file: "apps.yaml", kind: "ConnectedApp", line: 4, name: "ERP Sync" };

/** The stub's explanation table (the shape compiler/emit/explain-table.ts emits). */
const TABLE = {
  revision: REVISION,
  reasons: {
    APP_BLOCKED: {
      code: "APP_BLOCKED",
      control: "connected-app",
      source: "app",
      message: "connected app `{app}` is blocked",
    },
    "SESSION_IP_MISMATCH/other_address": {
      code: "SESSION_IP_MISMATCH",
      control: "session",
      source: "org",
      message: "from `{sourceIp}` as `{profile}`",
    },
    PROFILE_CITED: { code: "API_NOT_ENABLED", control: "api-access-control", source: "profile", message: "p" },
    SITE_QUOTED: {
      code: "AAC_EXTERNAL_APP_NOT_INSTALLED",
      control: "api-access-control",
      source: null,
      message: "`{site}`",
    },
  },
  notes: { IP_RESTRICTION_RELAXED: { code: "IP_RESTRICTION_RELAXED", message: "`{app}` (`{relaxation}`)" } },
  org: ORG_SOURCE,
  profiles: { Integration: ORG_SOURCE },
  apps: { "3MVG9erpSyncNorthwind": { ipRelaxation: "BYPASS", source: APP_SOURCE } },
};

const compact = (reasons: unknown, notes: unknown = []): object => ({
  allow: Array.isArray(reasons) && reasons.length === 0,
  reasons,
  notes,
  revision: REVISION,
});

/** What the stub's runtime entry point answers, chosen by the request's profile name. */
const ANSWERS: Record<string, unknown> = {
  one: 1,
  two: 2,
  text: "1",
  yes: true,
  list: [1],
  partial: { allow: true, reasons: [], notes: [] },
  disagreeing: { allow: true, reasons: ["APP_BLOCKED"], notes: [], revision: REVISION },
  sound: compact(["APP_BLOCKED", "SESSION_IP_MISMATCH/other_address"], ["IP_RESTRICTION_RELAXED"]),
  whole: { allow: false, reasons: [reason("APP_BLOCKED")], notes: [], revision: REVISION },
  unknownKey: compact(["APP_GONE"]),
  unknownNote: compact([], ["NOTE_GONE"]),
  numberKey: compact([7]),
  notesNotAList: compact([], "IP_RESTRICTION_RELAXED"),
  profileCited: compact(["PROFILE_CITED"]),
  siteQuoted: compact(["SITE_QUOTED"]),
};

const ORIGIN_IP = "2001:db8::9";

/**
 * The runtime entry point's plain allow for profile `addressed` when, and only when, the host
 * appended both parsed addresses of the request (`sourceIp` of VALID, ORIGIN_IP) to its input.
 */
function addressedRule(): string {
  const addr = JSON.stringify(hostAddressHex((VALID as unknown as { sourceIp: string }).sourceIp));
  const origin = JSON.stringify(hostAddressHex(ORIGIN_IP));
  return `decision := 1 if {\n\tinput.user.profile == "addressed"\n\tinput["$addr"] == ${addr}\n\tinput["$origin"] == ${origin}\n}\n`;
}

/**
 * A bundle whose decision entry point answers INPUT_INVALID to all, whose runtime entry point
 * answers ANSWERS (and addressedRule), and whose explanation table is `table` (none when null; a string is its text).
 */
async function stubBundle(withRuntime: boolean, table: unknown = TABLE): Promise<Uint8Array> {
  const dir = tempDir("gatehouse-stub-");
  const invalid = {
    allow: false,
    reasons: [{ ...reason("INPUT_INVALID"), control: "input" }],
    notes: [],
    revision: REVISION,
  };
  const files: Record<string, string> = {
    "decision.rego": `package gatehouse\n\ndecision := ${JSON.stringify(invalid)}\n`,
    "runtime.rego": `package gatehouse.runtime\n\nanswers := ${JSON.stringify(ANSWERS)}\n\ndecision := answers[input.user.profile]\n\n${addressedRule()}`,
    ".manifest": JSON.stringify({ revision: REVISION, roots: ["gatehouse"] }),
  };
  if (!withRuntime) delete files["runtime.rego"];
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
  }
  const out = join(dir, "bundle.tar.gz");
  const entrypoints = withRuntime ? ["gatehouse/decision", "gatehouse/runtime/decision"] : ["gatehouse/decision"];
  const built = runOpa(["build", "-t", "wasm", ...entrypoints.flatMap((e) => ["-e", e]), "-b", dir, "-o", out]);
  if (built.status !== 0) throw new Error(built.stderr);
  const bytes = readFileSync(out);
  return table === null ? bytes : withFile(bytes, typeof table === "string" ? table : JSON.stringify(table));
}

/** The bundle with the explanation table file added (`opa build` would merge it into data.json). */
async function withFile(bytes: Uint8Array, text: string): Promise<Uint8Array> {
  const archive = await readArchive(bytes);
  if (!archive.ok) throw new Error(archive.message);
  return writeArchive([...archive.files, [EXPLAIN_FILE, new TextEncoder().encode(text)]]);
}

const VALID = QUICKSTART_REQUESTS[0] as { user: Record<string, unknown> };
const asProfile = (profile: string): unknown => ({ ...VALID, user: { ...VALID.user, profile } });

describe("the runtime entry point", () => {
  let authorizer: Authorizer;
  beforeAll(async () => {
    authorizer = await Authorizer.load(await stubBundle(true));
  });

  it("is taken for a request the validator accepts: 1 is the plain allow, keys are expanded from the table", () => {
    expect(authorizer.decide(asProfile("one"))).toEqual({ allow: true, reasons: [], notes: [], revision: REVISION });
    const request = { ...(asProfile("sound") as object), session: { originIp: "198.51.100.9" } };
    expect(JSON.stringify(authorizer.decide(request))).toBe(
      JSON.stringify({
        allow: false,
        notes: [{ code: "IP_RESTRICTION_RELAXED", message: "`ERP Sync` (`BYPASS`)" }],
        reasons: [
          {
            code: "APP_BLOCKED",
            control: "connected-app",
            message: "connected app `ERP Sync` is blocked",
            source: APP_SOURCE,
          },
          {
            code: "SESSION_IP_MISMATCH",
            control: "session",
            message: "from `198.51.100.20` as `sound`",
            source: ORG_SOURCE,
          },
        ],
        revision: REVISION,
      }),
    );
  });

  it("is given the request with its parsed addresses appended", () => {
    const request = { ...(asProfile("addressed") as object), session: { originIp: ORIGIN_IP } };
    expect(authorizer.decide(request)).toEqual({ allow: true, reasons: [], notes: [], revision: REVISION });
  });

  const error = (message: string): Decision => ({
    allow: false,
    reasons: [{ code: "EVALUATION_ERROR", message, control: "runtime", source: null }],
    notes: [],
    revision: REVISION,
  });
  const unexplained = (why: string): Decision => error(`the decision cannot be explained: ${why}`);

  it.each([
    ["two", "the policy returned no decision"],
    ["text", "the policy returned no decision"],
    ["yes", "the policy returned no decision"],
    ["list", "the policy returned no decision"],
    ["partial", "the policy returned no decision"],
    ["disagreeing", "the decision's `reasons` disagree with `allow`"],
    ["undefined", "the policy returned no decision"],
    ["whole", "the decision's `reasons` are not a list of keys"],
    ["numberKey", "the decision's `reasons` are not a list of keys"],
    ["notesNotAList", "the decision's `notes` are not a list of keys"],
    ["unknownKey", "the explanation table has no reason `APP_GONE`"],
    ["unknownNote", "the explanation table has no note `NOTE_GONE`"],
    // The table has no source for a profile it does not list.
    ["profileCited", "the explanation table has no source for the profile"],
    // The request names no site for the message to quote.
    ["siteQuoted", "no text for the placeholder `{site}`"],
  ])("answers EVALUATION_ERROR when it returns %s", (profile, why) => {
    expect(authorizer.decide(asProfile(profile))).toEqual(unexplained(why));
  });

  it("answers EVALUATION_ERROR when the table lacks the request's app, or lists it only by inheritance", () => {
    const other = { ...(asProfile("sound") as object), app: { clientId: "unlisted" } };
    expect(authorizer.decide(other)).toEqual(unexplained("the explanation table has no connected app `unlisted`"));
    const inherited = { ...(asProfile("sound") as object), app: { clientId: "__proto__" } };
    expect(authorizer.decide(inherited)).toEqual(unexplained("the explanation table has no connected app `__proto__`"));
  });

  it("quotes the request as the policy reads it: a lone surrogate as U+FFFD", () => {
    const decision = authorizer.decide({ ...(asProfile("sound") as object), session: { originIp: "198.51.100.9" } });
    expect(decision.reasons[1]?.message).toBe("from `198.51.100.20` as `sound`");
    const surrogate = { ...(asProfile("siteQuoted") as object), site: "a\ud800b" };
    expect(authorizer.decide(surrogate).reasons[0]?.message).toBe("`a\ufffdb`");
  });

  it("is not taken for a request the validator refuses: the validating entry point decides", () => {
    // Its answer for profile `one` would be the plain allow.
    expect(authorizer.decide({ ...VALID, extra: 1 }).reasons.map((r) => r.code)).toEqual(["INPUT_INVALID"]);
    expect(authorizer.decide({ ...(asProfile("one") as object), extra: 1 }).reasons.map((r) => r.code)).toEqual([
      "INPUT_INVALID",
    ]);
    expect(authorizer.decide({ ...(asProfile("one") as object), login: "yes" }).reasons.map((r) => r.code)).toEqual([
      "INPUT_INVALID",
    ]);
  });

  it("is optional: a bundle without it decides every request through the validating entry point", async () => {
    const old = await Authorizer.load(await stubBundle(false));
    expect(old.decide(asProfile("one")).reasons.map((r) => r.code)).toEqual(["INPUT_INVALID"]);
  });

  it("is not taken without an explanation table: the bundle's entry point then answers whole decisions", async () => {
    const old = await Authorizer.load(await stubBundle(true, null));
    expect(old.decide(asProfile("one")).reasons.map((r) => r.code)).toEqual(["INPUT_INVALID"]);
  });

  it.each([
    ["not JSON", "{", "`gatehouse/explain/data.json` is not valid JSON"],
    ["another revision", { ...TABLE, revision: "r0" }, "it carries revision `r0`, but the manifest says `r1`"],
    ["no reasons", { ...TABLE, reasons: [] }, "it has no `reasons` object"],
    [
      "a reason without a code",
      { ...TABLE, reasons: { A: { control: "x", source: null, message: "m" } } },
      "`reasons.A` has no string `code`",
    ],
    [
      "a reason without a control",
      { ...TABLE, reasons: { A: { code: "A", source: null, message: "m" } } },
      "`reasons.A` has no string `control`",
    ],
    [
      "an unknown source",
      { ...TABLE, reasons: { A: { code: "A", control: "c", source: "user", message: "m" } } },
      "`reasons.A` cites no known `source`",
    ],
    ["a note without a message", { ...TABLE, notes: { N: { code: "N" } } }, "`N` has no string `message`"],
    [
      "an unknown placeholder",
      { ...TABLE, notes: { N: { code: "N", message: "{secret}" } } },
      "`N` has the unknown placeholder `{secret}`",
    ],
    ["no apps", { ...TABLE, apps: null }, "it lacks the `org`, `profiles` or `apps` object"],
  ])("refuses to load a bundle whose explanation table has %s", async (_, table, message) => {
    const refused = await Authorizer.load(await stubBundle(true, table)).then(
      () => undefined,
      (error: unknown) => error as { code: string; message: string },
    );
    expect(refused?.code).toBe("DATA_INVALID");
    expect(refused?.message).toContain(message);
  });
});
