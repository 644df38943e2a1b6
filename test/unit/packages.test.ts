import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_NAME, packageRoot } from "../../core/package-root.js";
import { RUNTIME_VERSION } from "../../wasm/version.js";

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Record<string, string>;
}

const root = packageRoot();
const main = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest;
const runtime = JSON.parse(readFileSync(join(root, "wasm", "package.json"), "utf8")) as Manifest;

describe("the two packages", () => {
  it("are released together: one version, written into decision logs too", () => {
    expect(main.name).toBe(PACKAGE_NAME);
    expect(runtime.name).toBe(`${PACKAGE_NAME}-runtime`);
    expect(runtime.version).toBe(main.version);
    expect(RUNTIME_VERSION).toBe(main.version);
    expect(main.dependencies[runtime.name]).toBe(runtime.version);
  });

  it("pin the runtime's dependencies to the versions the compiler is tested with", () => {
    for (const [name, version] of Object.entries(runtime.dependencies)) expect(main.dependencies[name]).toBe(version);
    expect(Object.keys(runtime.dependencies).sort()).toEqual([
      "@open-policy-agent/opa-wasm",
      "jose",
      "lossless-json",
      "tar-stream",
    ]);
  });
});
