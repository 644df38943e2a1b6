import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gatehouseCapabilities, type Capabilities } from "../../compiler/build/wasm-builtins.js";
import { capabilitiesPath } from "../../compiler/build/index.js";
import { packageRoot } from "../../core/package-root.js";
import { renderBundledSchema } from "../../scripts/bundled-schema.js";
import { renderDiagnosticsDoc } from "../../scripts/diagnostics-doc.js";
import { renderModelTypes } from "../../scripts/model-types.js";
import { renderRequestValidator } from "../../scripts/request-validator.js";
import { runOpa } from "../helpers/opa.js";

const root = packageRoot();
const read = (path: string): string => readFileSync(join(root, path), "utf8");

describe("generated files are up to date (run `npm run generate` when these fail)", () => {
  it("core/model.generated.ts matches the schemas", async () => {
    expect(read("core/model.generated.ts")).toBe(await renderModelTypes(join(root, "schemas")));
  });

  it("schemas/policy.schema.json bundles the per-kind schemas", async () => {
    expect(read("schemas/policy.schema.json")).toBe(await renderBundledSchema(join(root, "schemas")));
  });

  it("docs/diagnostics.md lists the code registry", async () => {
    expect(read("docs/diagnostics.md")).toBe(await renderDiagnosticsDoc(root));
  });

  it("wasm/request-validator.generated.ts is ajv's standalone code for the request schema, importing nothing", async () => {
    const committed = read("wasm/request-validator.generated.ts");
    expect(committed).toBe(await renderRequestValidator(join(root, "schemas")));
    expect(committed).not.toMatch(/^\s*import\b|\brequire\(/m);
  });

  it("compiler/build/capabilities.json is the pinned opa's capabilities reduced to WebAssembly-safe builtins", () => {
    const current = runOpa(["capabilities", "--current"]);
    expect(current.status).toBe(0);
    const committed = JSON.parse(readFileSync(capabilitiesPath(), "utf8")) as {
      builtins: Array<{ name: string }>;
      features: string[];
    };
    expect(committed).toEqual(gatehouseCapabilities(JSON.parse(current.stdout) as Capabilities));
    expect(committed.features).toEqual(["rego_v1"]);
    expect(committed.builtins.map((b) => b.name)).not.toContain("time.now_ns");
    expect(committed.builtins.map((b) => b.name)).not.toContain("net.cidr_merge");
  });
});
