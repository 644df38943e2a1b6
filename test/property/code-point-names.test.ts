/**
 * Names count code points (SEMANTICS.md §1): the compiler's schema, the runtime's request
 * validator, the compiled Rego (run as WebAssembly) and the reference evaluator agree on names
 * made of astral characters — a 200-emoji profile name is 200 characters, not 400 — on both
 * sides of the 255 limit.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { validateRequest } from "../../wasm/request-validator.js";
import { compileText } from "../helpers/compile-text.js";
import { authorizerForEmitted } from "../helpers/wasm-bundle.js";
import { referenceDecide } from "../reference/evaluator.js";

const ORG = { kind: "Org", name: "org" };

function policyWith(profile: string): ReturnType<typeof compileText> {
  const docs = [ORG, { kind: "Profile", name: profile, permissions: ["ApiEnabled"] }];
  return compileText({ "policy.yaml": docs.map((d) => stringify(d)).join("---\n") });
}

const requestFor = (profile: string): Record<string, unknown> => ({
  user: { id: "005a", userType: "Standard", profile },
  app: null,
  channel: "ui",
  grant: "password",
  sourceIp: "10.0.0.1",
  login: true,
});

const summary = (d: {
  allow: boolean;
  reasons: ReadonlyArray<{ code: string }>;
  notes: ReadonlyArray<string | { code: string }>;
}): unknown => ({
  allow: d.allow,
  reasons: d.reasons.map((r) => r.code),
  notes: d.notes.map((n) => (typeof n === "string" ? n : n.code)),
});

const astral = fc.integer({ min: 0x1f300, max: 0x1faff }).map((cp) => String.fromCodePoint(cp));
const bmp = fc.constantFrom("a", "Z", "é", "名", " ");
/** Names of astral and other characters, many of them near the 255 code-point limit. */
const nameArb = fc.oneof(
  fc.array(fc.oneof(astral, bmp), { minLength: 1, maxLength: 300 }).map((cs) => cs.join("")),
  fc
    .integer({ min: 250, max: 260 })
    .chain((n) => fc.array(fc.oneof(astral, astral, bmp), { minLength: n, maxLength: n }))
    .map((cs) => cs.join("")),
);

const EMOJI_200 = "😀".repeat(200);

describe("names count code points in the schema, the runtime validator, the Rego and the reference", () => {
  it("agree on names of astral characters, a 200-emoji profile name among them", async () => {
    const base = policyWith("P");
    const baseAuthorizer = await authorizerForEmitted(base.emitted!);
    await fc.assert(
      fc.asyncProperty(nameArb, async (name) => {
        const compiled = policyWith(name);
        const request = requestFor(name);
        const schemaAccepts = !compiled.diagnostics.some((d) => d.severity === "error");
        if ([...name].length > 255) expect(schemaAccepts, "schema").toBe(false);
        expect(validateRequest(request), "runtime validator").toBe([...name].length <= 255);
        if (schemaAccepts) {
          const authorizer = await authorizerForEmitted(compiled.emitted!);
          const wasm = authorizer.decide(request);
          expect(summary(wasm), "WebAssembly vs reference").toEqual(
            summary(referenceDecide(compiled.policy!, request)),
          );
          expect(wasm.reasons[0]?.code).not.toBe("INPUT_INVALID");
        } else {
          const wasm = baseAuthorizer.decide(request);
          expect(summary(wasm), "WebAssembly vs reference").toEqual(summary(referenceDecide(base.policy!, request)));
        }
      }),
      { numRuns: 60, seed: 20261207, examples: [[EMOJI_200], ["😀".repeat(255)], ["😀".repeat(256)]] },
    );
  });

  it("a 200-emoji profile name is valid and decided by its profile", async () => {
    const compiled = policyWith(EMOJI_200);
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const authorizer = await authorizerForEmitted(compiled.emitted!);
    const request = requestFor(EMOJI_200);
    expect(validateRequest(request)).toBe(true);
    expect(summary(authorizer.decide(request))).toEqual(summary(referenceDecide(compiled.policy!, request)));
    expect(authorizer.decide(request).reasons.map((r) => r.code)).not.toContain("INPUT_INVALID");
  });
});
