import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";
import type { Compilation } from "../../compiler/pipeline.js";
import { compile } from "../../compiler/pipeline.js";
import { Authorizer } from "../../wasm/index.js";
import { opa } from "./opa.js";

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix = "gatehouse-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Writes `files` (relative path → text) into a fresh temporary policy directory. */
export function policyDir(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A minimal valid Org document. */
export const ORG = "kind: Org\nname: acme\n";

/** Compiles a policy directory as far as emit (no opa). */
export function compileDir(dir: string): Promise<Compilation> {
  return compile(dir, { until: "emit" });
}

/** Compiles and builds a policy directory with the real opa; fails the test on any error. */
export async function buildDir(dir: string): Promise<Compilation & { built: NonNullable<Compilation["built"]> }> {
  const c = await compile(dir, { opa: opa() });
  const errors = c.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !c.built)
    throw new Error(
      `build failed:\n${errors.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`).join("\n")}`,
    );
  return c as Compilation & { built: NonNullable<Compilation["built"]> };
}

/** Builds a policy directory and loads its bundle into an Authorizer. */
export async function authorizerFor(dir: string): Promise<Authorizer> {
  const c = await buildDir(dir);
  return Authorizer.load(c.built.bundle);
}
