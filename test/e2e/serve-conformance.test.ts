/**
 * The conformance corpus asked over HTTP: `gatehouse serve` (the compiled WebAssembly in the
 * Node runtime) and `opa run --server` evaluating the same Rego and data with OPA's own Go
 * evaluator, both queried with the official OPA TypeScript client. Every answer must be the
 * same document, and its codes the ones each case expects from docs/semantics.md.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeArchive } from "../../core/bundle-archive.js";
import { packageRoot } from "../../core/package-root.js";
import type { EmittedBundle } from "../../compiler/emit/index.js";
import { readCorpus } from "../conformance/corpus.js";
import { compileDir, policyDir, tempDir } from "../helpers/policy.js";
import {
  evaluateOnBoth,
  startGatehouseServer,
  startOpaServer,
  type GatehouseServer,
  type OpaServer,
} from "../helpers/servers.js";
import { bundleFor } from "../helpers/wasm-bundle.js";

const corpus = readCorpus(join(packageRoot(), "test", "conformance", "cases"));

/** The emitted Rego, data and manifest, without WebAssembly: OPA evaluates it with topdown. */
function regoBundle(emitted: EmittedBundle): Promise<Uint8Array> {
  return writeArchive([...emitted.files].map(([path, text]) => [path, new TextEncoder().encode(text)] as const));
}

interface Answered {
  readonly gatehouse: unknown[];
  readonly opa: unknown[];
}

const answers = new Map<string, Answered>();

beforeAll(async () => {
  const dir = tempDir();
  for (const [index, file] of corpus.entries()) {
    const compilation = await compileDir(policyDir({ "policy.yaml": file.policy }));
    if (!compilation.emitted) throw new Error(`${file.file}: the policy does not compile`);
    const wasmFile = join(dir, `${index}-wasm.tar.gz`);
    const regoFile = join(dir, `${index}-rego.tar.gz`);
    writeFileSync(wasmFile, await bundleFor(compilation.emitted));
    writeFileSync(regoFile, await regoBundle(compilation.emitted));
    let gatehouse: GatehouseServer | undefined;
    let opa: OpaServer | undefined;
    try {
      [gatehouse, opa] = await Promise.all([
        startGatehouseServer({ bundle: wasmFile }),
        startOpaServer(["--bundle", regoFile]),
      ]);
      const evaluations = file.cases.map((c) => ({ path: "gatehouse/decision", input: c.request }));
      const both = await evaluateOnBoth(gatehouse.url, opa.url, evaluations);
      answers.set(file.file, { gatehouse: both.first, opa: both.second });
    } finally {
      await Promise.all([gatehouse?.stop(), opa?.stop()]);
    }
  }
});

afterAll(() => answers.clear());

describe("the conformance corpus over HTTP: gatehouse serve and opa run --server", () => {
  for (const file of corpus) {
    it(`${file.file}: ${file.cases.length} cases answered alike and as expected`, () => {
      const answered = answers.get(file.file)!;
      expect(answered.gatehouse).toEqual(answered.opa);
      const codes = answered.gatehouse.map((d) => {
        const decision = d as { allow: boolean; reasons: { code: string }[]; notes: (string | { code: string })[] };
        return {
          allow: decision.allow,
          reasons: decision.reasons.map((r) => r.code),
          notes: decision.notes.map((n) => (typeof n === "string" ? n : n.code)),
        };
      });
      expect(codes).toEqual(file.cases.map((c) => c.want));
    });
  }
});
