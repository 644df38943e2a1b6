import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { Authorizer, type Decision } from "../../wasm/index.js";
import { buildDir } from "../helpers/policy.js";
import { topdownDecisions } from "../helpers/topdown.js";
import type { Compilation } from "../../compiler/pipeline.js";

const dir = join(packageRoot(), "examples", "quickstart");
const lines = (file: string): unknown[] =>
  readFileSync(join(dir, file), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as unknown);

const requests = lines("requests.jsonl");
const expected = lines("expected.jsonl") as Array<{ allow: boolean; reasons: string[]; notes: string[] }>;

function summary(d: Decision): { allow: boolean; reasons: string[]; notes: string[] } {
  return { allow: d.allow, reasons: d.reasons.map((r) => r.code), notes: d.notes.map((n) => n.code) };
}

describe("examples/quickstart end to end", () => {
  let compilation: Compilation;
  let authorizer: Authorizer;
  beforeAll(async () => {
    compilation = await buildDir(dir);
    authorizer = await Authorizer.load(compilation.built!.bundle);
  });

  it("has at least 10 requests, allowed and denied, each with an expectation", () => {
    expect(requests.length).toBeGreaterThanOrEqual(10);
    expect(expected).toHaveLength(requests.length);
    expect(expected.some((e) => e.allow)).toBe(true);
    expect(expected.some((e) => !e.allow)).toBe(true);
  });

  it("decides every request as expected.jsonl says, through the WebAssembly runtime", () => {
    expect(requests.map((r) => summary(authorizer.decide(r)))).toEqual(expected);
  });

  it("gives the identical decisions, messages and sources included, with OPA's Go evaluator", () => {
    const wasm = requests.map((r) => authorizer.decide(r));
    expect(topdownDecisions(compilation.emitted!, requests)).toEqual(wasm);
  });

  it("cites the YAML declaration that denied, with the bundle revision", () => {
    const blocked = authorizer.decide(requests[6]);
    expect(blocked.reasons).toEqual([
      {
        code: "APP_BLOCKED",
        message: "connected app `data-loader` is blocked",
        control: "connected-app",
        source: { kind: "ConnectedApp", name: "data-loader", file: "apps.yaml", line: 38 },
      },
    ]);
    expect(blocked.revision).toBe(compilation.built!.revision);
    expect(readFileSync(join(dir, "apps.yaml"), "utf8").split("\n")[37]).toBe("kind: ConnectedApp");
  });
});
