import { describe, expect, it } from "vitest";
import { build } from "../../compiler/build/index.js";
import type { EmittedBundle } from "../../compiler/emit/index.js";
import { opa } from "../helpers/opa.js";
import { compileDir, ORG, policyDir } from "../helpers/policy.js";

/** The toolchain codes (GH4xx) that no policy directory can produce: `opa build` rejecting generated Rego. */
async function withModule(path: string, rego: string): Promise<EmittedBundle> {
  const c = await compileDir(policyDir({ "org.yaml": ORG }));
  const emitted = c.emitted!;
  return { ...emitted, files: new Map([...emitted.files, [path, rego]]) };
}

describe("build diagnostics (GH401, GH402)", () => {
  it("reports a builtin outside the WebAssembly capabilities as GH402, at the generated file", async () => {
    const emitted = await withModule("gatehouse/clock.rego", "package gatehouse.clock\n\nnow := time.now_ns()\n");
    const result = await build(emitted, opa());
    expect(result.value).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([["GH402", "gatehouse/clock.rego", 3]]);
    expect(result.diagnostics[0]?.message).toBe(
      "builtin `time.now_ns` is not available to the WebAssembly runtime (Gatehouse's capabilities allow WebAssembly-native builtins only)",
    );
  });

  it("reports any other rejection of the generated Rego as GH401", async () => {
    const emitted = await withModule("gatehouse/broken.rego", "package gatehouse.broken\n\nallow if {\n");
    const result = await build(emitted, opa());
    expect(result.value).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.file])).toEqual([["GH401", "gatehouse/broken.rego"]]);
    expect(result.diagnostics[0]?.message).toMatch(/^opa build: rego_parse_error: /);
  });
});
