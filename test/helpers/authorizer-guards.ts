/** What the authorizer guard tests share: the quick start's requests and answers, and refusals caught. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { Authorizer, BundleError, type AuthorizerOptions, type Decision } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS, quickstartBundle } from "./bundles.js";

export const VALID = QUICKSTART_REQUESTS[0] as { user: Record<string, unknown> } & Record<string, unknown>;

/** The quick start's expected answers: allow and the reason codes, request by request. */
export const EXPECTED = readFileSync(join(packageRoot(), "examples", "quickstart", "expected.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as { allow: boolean; reasons: string[]; notes: string[] });

/** A decision as allow and its reason and note codes. */
export function summary(d: Decision): { allow: boolean; reasons: string[]; notes: string[] } {
  return { allow: d.allow, reasons: d.reasons.map((r) => r.code), notes: d.notes.map((n) => n.code) };
}

/** The quick start's bundle, loaded afresh with these options. */
export async function quickstart(options: AuthorizerOptions = {}): Promise<Authorizer> {
  return Authorizer.load((await quickstartBundle()).bytes, options);
}

/** The code and message of the bundle error `load` is refused with. */
export async function refusal(load: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  return refusalError(load).then((e) => ({ code: e.code, message: e.message }));
}

/** The bundle error `load` is refused with; fails the test when it loads. */
export async function refusalError(load: () => Promise<unknown>): Promise<BundleError> {
  try {
    await load();
  } catch (error) {
    expect(error).toBeInstanceOf(BundleError);
    return error as BundleError;
  }
  throw new Error("the load succeeded");
}

/** The deny the runtime's validator gives an invalid request. */
export function inputInvalid(message: string, revision: string): Decision {
  return {
    allow: false,
    reasons: [{ code: "INPUT_INVALID", message, control: "input", source: null }],
    notes: [],
    revision,
  };
}
