/**
 * The runtime entry point's plain allow (templates/runtime.rego.hbs) is one rule body that may be
 * stricter than the full decision but never looser: for every valid request of the conformance
 * corpus it answers the number 1 only where the corpus expects an allow with no reasons and no
 * notes, and for a request allowed with a note it answers the decision carrying that note's key.
 */
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { unpackBundle } from "../../wasm/bundle.js";
import { hostAddresses } from "../../wasm/host-address.js";
import { validateRequest } from "../../wasm/request-validator.js";
import { readCorpus } from "../conformance/corpus.js";
import { compileText } from "../helpers/compile-text.js";
import { bundleFor } from "../helpers/wasm-bundle.js";

/** The runtime entry point of `policyYaml`'s bundle, evaluated as the runtime does (host-parsed addresses). */
async function runtimeEntry(policyYaml: string): Promise<(request: unknown) => unknown> {
  const c = compileText({ "policy.yaml": policyYaml });
  if (!c.emitted) throw new Error(`does not compile: ${c.diagnostics.map((d) => d.message).join("; ")}`);
  const bundle = await unpackBundle(await bundleFor(c.emitted));
  const policy = await loadPolicy(bundle.wasm);
  policy.setData(JSON.parse(new TextDecoder().decode(bundle.data)) as object);
  return (request) => {
    const addresses = hostAddresses(request);
    if (addresses === undefined) throw new Error(`no host addresses for ${JSON.stringify(request)}`);
    const input = { ...(request as object), ...(JSON.parse(`{${addresses}}`) as object) };
    return (policy.evaluate(input, "gatehouse/runtime/decision") as Array<{ result: unknown }>)[0]?.result;
  };
}

describe("the runtime entry point's plain allow", () => {
  it("answers 1 only for a plain allow of the conformance corpus, and never for an allow with a note", async () => {
    let plainAnsweredOne = 0;
    let withNotes = 0;
    for (const file of readCorpus(join(packageRoot(), "test", "conformance", "cases"))) {
      const decide = await runtimeEntry(file.policy);
      for (const c of file.cases) {
        if (!validateRequest(c.request)) continue;
        const answer = decide(c.request);
        const label = `${c.file}: ${c.note}`;
        const plain = c.want.allow && c.want.notes.length === 0;
        if (!plain) expect(answer, label).not.toBe(1);
        if (plain && answer === 1) plainAnsweredOne++;
        if (c.want.allow && c.want.notes.length > 0) {
          withNotes++;
          // Notes are keys of the explanation table: a code, with `/variant` for some.
          expect(
            (answer as { notes: string[] }).notes.map((key) => key.split("/")[0]),
            label,
          ).toEqual(c.want.notes);
        }
      }
    }
    // The corpus must hold enough of both for the checks above to mean anything.
    expect(withNotes).toBeGreaterThanOrEqual(10);
    expect(plainAnsweredOne).toBeGreaterThanOrEqual(30);
  }, 300_000);
});
