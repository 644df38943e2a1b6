/**
 * The conformance corpus, run three independent ways: the reference evaluator (written from
 * docs/semantics.md), the compiled WebAssembly through the runtime, and OPA's Go evaluator
 * (topdown) on the same Rego and data. Each case's expectation was written by hand from the
 * semantics; all three must meet it, and the two Rego evaluations must agree to the byte.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Compilation } from "../../compiler/pipeline.js";
import { packageRoot } from "../../core/package-root.js";
import { REASONS } from "../../core/codes.js";
import type { Authorizer, Decision } from "../../wasm/index.js";
import { compileDir, policyDir } from "../helpers/policy.js";
import { topdownDecisions } from "../helpers/topdown.js";
import { authorizerForEmitted } from "../helpers/wasm-bundle.js";
import { referenceDecide, type ReferenceDecision } from "../reference/evaluator.js";
import { readCorpus } from "./corpus.js";

const corpus = readCorpus(join(packageRoot(), "test", "conformance", "cases"));

interface Outcome {
  readonly compilation: Compilation;
  readonly wasm: Decision[];
  readonly topdown: Decision[];
  readonly reference: ReferenceDecision[];
}

function codes(d: Decision | ReferenceDecision): { allow: boolean; reasons: string[]; notes: string[] } {
  return {
    allow: d.allow,
    reasons: d.reasons.map((r) => r.code),
    notes: d.notes.map((n) => (typeof n === "string" ? n : n.code)),
  };
}

describe("conformance corpus", () => {
  const outcomes = new Map<string, Outcome>();

  beforeAll(async () => {
    for (const file of corpus) {
      const compilation = await compileDir(policyDir({ "policy.yaml": file.policy }));
      const errors = compilation.diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0 || !compilation.emitted || !compilation.policy) {
        throw new Error(`${file.file}: the policy does not compile: ${errors.map((e) => `${e.line}:${e.column} ${e.message}`).join("; ")}`);
      }
      const authorizer: Authorizer = await authorizerForEmitted(compilation.emitted);
      const requests = file.cases.map((c) => c.request);
      outcomes.set(file.file, {
        compilation,
        wasm: requests.map((r) => authorizer.decide(r)),
        topdown: topdownDecisions(compilation.emitted, requests),
        reference: requests.map((r) => referenceDecide(compilation.policy!, r)),
      });
    }
  });

  it("has at least 150 cases and exercises every reason and note code the policy can produce", () => {
    const cases = corpus.flatMap((f) => f.cases);
    expect(cases.length).toBeGreaterThanOrEqual(150);
    const seen = new Set(cases.flatMap((c) => [...c.want.reasons, ...c.want.notes]));
    const policyCodes = REASONS.filter((r) => r.control !== "runtime").map((r) => r.code);
    expect(policyCodes.filter((c) => !seen.has(c))).toEqual([]);
    expect(["IP_RESTRICTION_RELAXED", "IDENTITY_VERIFICATION_REQUIRED", "SECURITY_TOKEN_REQUIRED"].filter((c) => !seen.has(c))).toEqual([]);
  });

  for (const file of corpus) {
    describe(`${file.file}: ${file.description}`, () => {
      file.cases.forEach((c, i) => {
        it(c.note, () => {
          const o = outcomes.get(file.file)!;
          const wasm = o.wasm[i]!;
          expect(codes(o.reference[i]!), "reference evaluator").toEqual(c.want);
          expect(codes(wasm), "WebAssembly runtime").toEqual(c.want);
          expect(o.topdown[i], "opa eval (topdown) must equal the WebAssembly decision").toEqual(wasm);
          expect(
            wasm.reasons.map((r) => r.source),
            "reasons cite the same declarations as the reference",
          ).toEqual(o.reference[i]!.reasons.map((r) => r.source));
          expect(wasm.revision).toBe(o.compilation.emitted!.revision);
        });
      });
    });
  }
});
