/**
 * Three-way agreement on random policy sets × requests: the reference evaluator, the compiled
 * WebAssembly through the runtime, and OPA's Go evaluator on the same Rego and data. Seeded
 * and reproducible; on a disagreement fast-check shrinks to a minimal policy set and request.
 * GATEHOUSE_PROPERTY_RUNS scales the number of policy sets (default 500, × 20 requests each).
 */
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { EXPLAIN_FILE, type EmittedBundle } from "../../compiler/emit/index.js";
import { NOTES, POLICY_REASON_CODES } from "../../core/codes.js";
import type { Decision } from "../../wasm/index.js";
import { compileText } from "../helpers/compile-text.js";
import { runOpa } from "../helpers/opa.js";
import { tempDir } from "../helpers/policy.js";
import { writeSources } from "../helpers/topdown.js";
import { authorizerForEmitted } from "../helpers/wasm-bundle.js";
import { referenceDecide } from "../reference/evaluator.js";
import { policyArb, policyYaml, requestArb, unknownFieldArb, type GenPolicy } from "./arbitraries.js";

const RUNS = Number(process.env.GATEHOUSE_PROPERTY_RUNS ?? 500);
const REQUESTS = 20;
const SEED = 20261123;

function compileGen(gen: GenPolicy): NonNullable<ReturnType<typeof compileText>> & { emitted: EmittedBundle } {
  const c = compileText({ "policy.yaml": policyYaml(gen, stringify) });
  const errors = c.diagnostics.filter((d) => d.severity === "error");
  if (!c.emitted || errors.length > 0)
    throw new Error(`generated policy does not compile: ${errors.map((e) => e.message).join("; ")}`);
  return c as ReturnType<typeof compileText> & { emitted: EmittedBundle };
}

function withUnknownField(request: Record<string, unknown>, add: boolean): Record<string, unknown> {
  return add ? { ...request, roles: ["admin"] } : request;
}

function summary(d: {
  allow: boolean;
  reasons: ReadonlyArray<{ code: string; source: unknown }>;
  notes: ReadonlyArray<string | { code: string }>;
}): unknown {
  return {
    allow: d.allow,
    reasons: d.reasons.map((r) => [r.code, r.source]),
    notes: d.notes.map((n) => (typeof n === "string" ? n : n.code)),
  };
}

/** Decides each (policy data, input) pair with `opa eval` in one process, against shared Rego. */
function topdownBatch(
  base: EmittedBundle,
  cases: ReadonlyArray<{ policy: number; input: unknown }>,
  policies: readonly unknown[],
): Decision[] {
  const dir = writeSources(base);
  const casesDir = tempDir("gatehouse-cases-");
  mkdirSync(casesDir, { recursive: true });
  writeFileSync(join(casesDir, "cases.json"), JSON.stringify({ gatehouse_property: { policies, cases } }));
  const query =
    // `with` values are bound to plain variables first: a reference such as `c.input` there yields nothing.
    "[d | some c in data.gatehouse_property.cases; p := data.gatehouse_property.policies[c.policy].policy; e := data.gatehouse_property.policies[c.policy].explain; i := c.input; d := data.gatehouse.decision with input as i with data.gatehouse.policy as p with data.gatehouse.explain as e]";
  const run = runOpa(["eval", "--format", "json", "-d", dir, "-d", join(casesDir, "cases.json"), query]);
  if (run.status !== 0) throw new Error(`opa eval failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { result: Array<{ expressions: Array<{ value: Decision[] }> }> }).result[0]!
    .expressions[0]!.value;
}

/** A policy set's data: data.json's `policy` and the explanation table, which reasons cite. */
function policyData(emitted: EmittedBundle): unknown {
  return {
    policy: (JSON.parse(emitted.files.get("data.json")!) as { gatehouse: { policy: unknown } }).gatehouse.policy,
    explain: JSON.parse(emitted.files.get(EXPLAIN_FILE)!) as unknown,
  };
}

describe("three-way agreement on random policy sets and requests", () => {
  it(`reference, WebAssembly and opa eval agree on ${RUNS} policy sets × ${REQUESTS} requests`, async () => {
    const requests = fc.array(fc.tuple(requestArb, unknownFieldArb), { minLength: REQUESTS, maxLength: REQUESTS });
    const collected: Array<{ gen: GenPolicy; emitted: EmittedBundle; inputs: unknown[]; wasm: Decision[] }> = [];

    // Reference versus WebAssembly, in process: fast-check shrinks any disagreement.
    await fc.assert(
      fc.asyncProperty(policyArb, requests, async (gen, reqs) => {
        const c = compileGen(gen);
        const authorizer = await authorizerForEmitted(c.emitted);
        const inputs = reqs.map(([r, extra]) => withUnknownField(r, extra));
        const wasm = inputs.map((input) => authorizer.decide(input));
        inputs.forEach((input, i) => {
          expect(summary(wasm[i]!), JSON.stringify(input)).toEqual(summary(referenceDecide(c.policy!, input)));
        });
        collected.push({ gen, emitted: c.emitted, inputs, wasm });
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: false },
    );

    // WebAssembly versus OPA's Go evaluator, batched in one `opa eval`.
    const policies = collected.map((c) => policyData(c.emitted));
    const cases = collected.flatMap((c, policy) => c.inputs.map((input) => ({ policy, input })));
    const wasm = collected.flatMap((c) => c.wasm);
    const topdown = topdownBatch(collected[0]!.emitted, cases, policies);
    expect(topdown).toHaveLength(wasm.length);
    const first = topdown.findIndex((d, i) => !isDeepStrictEqual(d, wasm[i]));
    if (first >= 0) {
      // Shrink the first disagreement to a minimal policy set and request, one opa eval per try.
      const failing = collected[cases[first]!.policy]!;
      const input = cases[first]!.input as Record<string, unknown>;
      await fc.assert(
        fc.asyncProperty(policyArb, requestArb, async (gen, request) => {
          const c = compileGen(gen);
          const decision = (await authorizerForEmitted(c.emitted)).decide(request);
          const [opa] = topdownBatch(c.emitted, [{ policy: 0, input: request }], [policyData(c.emitted)]);
          expect(opa, `${policyYaml(gen, stringify)}\n${JSON.stringify(request)}`).toEqual(decision);
        }),
        { examples: [[failing.gen, input]], numRuns: 1 },
      );
    }
    expect(first).toBe(-1);
    // The generators must reach every outcome, or agreement would prove little.
    const produced = new Set(wasm.flatMap((d) => [...d.reasons.map((r) => r.code), ...d.notes.map((n) => n.code)]));
    const missing = [...POLICY_REASON_CODES, ...NOTES.map((n) => n.code)].filter((c) => !produced.has(c));
    expect(missing).toEqual([]);
    const allowed = wasm.filter((d) => d.allow).length / wasm.length;
    const invalid = wasm.filter((d) => d.reasons[0]?.code === "INPUT_INVALID").length / wasm.length;
    expect(allowed).toBeGreaterThan(0.05);
    expect(invalid).toBeLessThan(0.5);
    expect(cases.length).toBeGreaterThanOrEqual(Math.min(10_000, RUNS * REQUESTS));
  }, 900_000);
});
