/**
 * The bundle's two entry points decide alike. For random requests the runtime's validator accepts,
 * against a few random policy sets, and for every request of the conformance corpus:
 *
 * - `gatehouse/decision` (validating, what OPA clients query) evaluated on the module directly,
 * - `gatehouse/runtime/decision` on the same request with the host-parsed addresses, where the
 *   number 1 stands for the plain allow and reasons and notes are keys, expanded by the host from
 *   the bundle's explanation table (wasm/explain.ts) into the validating entry point's full
 *   reasons and notes, and
 * - `Authorizer.decide`, which takes the runtime entry point for every request its validator accepts,
 *
 * give one decision. GATEHOUSE_ENTRY_SAMPLES sets how many random requests (default 20,000, in
 * about a minute; 100,000 when CI=true).
 */
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { NOTE_TEMPLATES, REASON_TEMPLATES } from "../../compiler/emit/explain-table.js";
import { packageRoot } from "../../core/package-root.js";
import { Authorizer, type Decision } from "../../wasm/index.js";
import { unpackBundle } from "../../wasm/bundle.js";
import { EXPLAIN_FILE, expandDecision, readExplainTable, type ExplainTable } from "../../wasm/explain.js";
import { hostAddresses } from "../../wasm/host-address.js";
import { validateRequest } from "../../wasm/request-validator.js";
import { readCorpus } from "../conformance/corpus.js";
import { compileText } from "../helpers/compile-text.js";
import { bundleFor } from "../helpers/wasm-bundle.js";
import { policyArb, policyYaml, requestArb } from "./arbitraries.js";

const SAMPLES = Number(process.env.GATEHOUSE_ENTRY_SAMPLES ?? (process.env.CI === "true" ? 100_000 : 20_000));
const POLICIES = 5;
const SEED = 20261207;

/** Both entry points of one compiled policy set, evaluated directly, and the runtime over them. */
async function entryPoints(policyYamlText: string): Promise<{
  decision(request: unknown): unknown;
  runtime(request: unknown): unknown;
  authorizer: Authorizer;
  explain: ExplainTable;
}> {
  const c = compileText({ "policy.yaml": policyYamlText });
  if (!c.emitted) throw new Error(`does not compile: ${c.diagnostics.map((d) => d.message).join("; ")}`);
  const bytes = await bundleFor(c.emitted);
  const bundle = await unpackBundle(bytes);
  const policy = await loadPolicy(bundle.wasm);
  // Every data file, as OPA loads a bundle: the validating entry point reads the explanation table.
  const data = JSON.parse(new TextDecoder().decode(bundle.data)) as { gatehouse: Record<string, unknown> };
  data.gatehouse.explain = JSON.parse(new TextDecoder().decode(bundle.files.get(EXPLAIN_FILE)));
  policy.setData(data);
  const result = (set: unknown): unknown => (set as Array<{ result: unknown }>)[0]?.result;
  return {
    decision: (request) => result(policy.evaluate(request, "gatehouse/decision")),
    runtime: (request) => {
      const addresses = hostAddresses(request);
      if (addresses === undefined) throw new Error(`no host addresses for ${JSON.stringify(request)}`);
      const input = { ...(request as object), ...(JSON.parse(`{${addresses}}`) as object) };
      return result(policy.evaluate(input, "gatehouse/runtime/decision"));
    },
    authorizer: await Authorizer.load(bytes),
    explain: readExplainTable(bundle.files, bundle.manifest.revision)!,
  };
}

/** The explanation table's keys the runtime entry point answered, over every test. */
const seenKeys = new Set<string>();

/** The runtime entry point's answer as a decision: 1 is the plain allow, keys are expanded. */
function expand(answer: unknown, request: unknown, explain: ExplainTable, revision: string): unknown {
  if (answer === 1) return { allow: true, reasons: [], notes: [], revision };
  const compact = answer as { reasons: string[]; notes: string[] };
  for (const key of [...compact.reasons, ...compact.notes]) seenKeys.add(key);
  return expandDecision(answer, request, explain, revision);
}

/** Checks one valid request on all three paths; returns the validating entry point's decision. */
function agree(entries: Awaited<ReturnType<typeof entryPoints>>, request: unknown): Decision {
  const decision = entries.decision(request) as Decision;
  const runtime = entries.runtime(request);
  expect(runtime === 1 || typeof runtime === "object", JSON.stringify(runtime)).toBe(true);
  expect(expand(runtime, request, entries.explain, decision.revision), JSON.stringify(request)).toEqual(decision);
  expect(entries.authorizer.decide(request), JSON.stringify(request)).toEqual(decision);
  return decision;
}

describe("the decision and runtime entry points", () => {
  it(`agree on ${SAMPLES} random valid requests against ${POLICIES} random policy sets`, async () => {
    const policies = fc.sample(policyArb, { seed: SEED, numRuns: POLICIES });
    const requests = fc.sample(requestArb, { seed: SEED + 1, numRuns: SAMPLES * 2 }).filter((r) => validateRequest(r));
    expect(requests.length).toBeGreaterThanOrEqual(SAMPLES);
    let allowed = 0;
    let plain = 0;
    for (let p = 0; p < POLICIES; p++) {
      const entries = await entryPoints(policyYaml(policies[p]!, stringify));
      for (let i = p; i < SAMPLES; i += POLICIES) {
        const d = agree(entries, requests[i]);
        if (d.allow) allowed++;
        if (entries.runtime(requests[i]) === 1) plain++;
      }
    }
    // Both outcomes, and the plain allow among them, must be common for agreement to mean much.
    expect(allowed / SAMPLES).toBeGreaterThan(0.05);
    expect(plain / SAMPLES).toBeGreaterThan(0.01);
    expect(allowed).toBeLessThan(SAMPLES);
  }, 900_000);

  it("agree on every valid request of the conformance corpus", async () => {
    let valid = 0;
    for (const file of readCorpus(join(packageRoot(), "test", "conformance", "cases"))) {
      const entries = await entryPoints(file.policy);
      for (const c of file.cases) {
        if (!validateRequest(c.request)) continue;
        agree(entries, c.request);
        valid++;
      }
    }
    expect(valid).toBeGreaterThanOrEqual(150);
  }, 300_000);

  it("between them answered every key of the explanation table", () => {
    // A key's expansion is compared with the validating entry point's message only where it occurs.
    const keys = [...Object.keys(REASON_TEMPLATES), ...Object.keys(NOTE_TEMPLATES)];
    expect(keys.filter((k) => !seenKeys.has(k))).toEqual([]);
  });
});
