/**
 * The runtime's entry point is trusted no more than the decision: whatever it answers that is
 * neither the number 1 (the plain allow) nor a sound decision is EVALUATION_ERROR, and a bundle
 * without it is decided through the validating entry point alone.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Authorizer } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS } from "../helpers/bundles.js";
import { runOpa } from "../helpers/opa.js";
import { tempDir } from "../helpers/policy.js";

const REVISION = "r1";
const reason = (code: string): object => ({ code, message: "m", control: "session", source: null });

/** What the stub's runtime entry point answers, chosen by the request's profile name. */
const ANSWERS: Record<string, unknown> = {
  one: 1,
  two: 2,
  text: "1",
  yes: true,
  list: [1],
  partial: { allow: true, reasons: [], notes: [] },
  disagreeing: { allow: true, reasons: [reason("APP_BLOCKED")], notes: [], revision: REVISION },
  sound: { allow: false, reasons: [reason("APP_BLOCKED")], notes: [], revision: REVISION },
};

/** A bundle whose decision entry point answers INPUT_INVALID to all, and whose runtime entry point answers ANSWERS. */
function stubBundle(withRuntime: boolean): Uint8Array {
  const dir = tempDir("gatehouse-stub-");
  const invalid = {
    allow: false,
    reasons: [{ ...reason("INPUT_INVALID"), control: "input" }],
    notes: [],
    revision: REVISION,
  };
  const files: Record<string, string> = {
    "decision.rego": `package gatehouse\n\ndecision := ${JSON.stringify(invalid)}\n`,
    "runtime.rego": `package gatehouse.runtime\n\nanswers := ${JSON.stringify(ANSWERS)}\n\ndecision := answers[input.user.profile]\n`,
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
  return readFileSync(out);
}

const VALID = QUICKSTART_REQUESTS[0] as { user: Record<string, unknown> };
const asProfile = (profile: string): unknown => ({ ...VALID, user: { ...VALID.user, profile } });

describe("the runtime entry point", () => {
  let authorizer: Authorizer;
  beforeAll(async () => {
    authorizer = await Authorizer.load(stubBundle(true));
  });

  it("is taken for a request the validator accepts: 1 is the plain allow, a sound decision is returned as is", () => {
    expect(authorizer.decide(asProfile("one"))).toEqual({ allow: true, reasons: [], notes: [], revision: REVISION });
    expect(authorizer.decide(asProfile("sound"))).toEqual(ANSWERS.sound);
  });

  it.each([
    ["two", "the policy returned no decision"],
    ["text", "the policy returned no decision"],
    ["yes", "the policy returned no decision"],
    ["list", "the policy returned no decision"],
    ["partial", "the decision has no `revision`"],
    ["disagreeing", "the decision's `reasons` disagree with `allow`"],
    ["undefined", "the policy returned no decision"],
  ])("answers EVALUATION_ERROR when it returns %s", (profile, message) => {
    expect(authorizer.decide(asProfile(profile))).toEqual({
      allow: false,
      reasons: [{ code: "EVALUATION_ERROR", message, control: "runtime", source: null }],
      notes: [],
      revision: REVISION,
    });
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
    const old = await Authorizer.load(stubBundle(false));
    expect(old.decide(asProfile("one")).reasons.map((r) => r.code)).toEqual(["INPUT_INVALID"]);
  });
});
