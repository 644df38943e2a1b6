/**
 * The trivial-policy floor: a policy whose decision is a constant plain allow, built by the
 * pinned `opa build -t wasm` like every bundle, and loaded by the same runtime
 * (`Authorizer.load`). Deciding a request with it costs everything the runtime does around the
 * policy (snapshot, size limits, JSON, validation, `opa_eval`, the result) and almost nothing
 * inside it, so a tier's mean over the floor's mean, on the same requests, is what the Rego
 * engine costs. `opa run --server` serving the same bundle is the HTTP floor.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpaBinary } from "../../compiler/build/index.js";

/** The manifest revision of the floor bundle. */
export const FLOOR_REVISION = "trivial-policy-floor";

/** The floor policy: `data.gatehouse.decision` is a plain allow whatever the input. */
export const FLOOR_REGO = `package gatehouse

decision := {"allow": true, "reasons": [], "notes": [], "revision": "${FLOOR_REVISION}"}
`;

/** Builds the floor bundle (Rego and policy.wasm); throws with opa's message when it fails. */
export function buildFloorBundle(opa: OpaBinary): Uint8Array {
  const work = mkdtempSync(join(tmpdir(), "gatehouse-floor-"));
  try {
    const src = join(work, "src");
    mkdirSync(src);
    writeFileSync(join(src, "floor.rego"), FLOOR_REGO);
    writeFileSync(join(src, ".manifest"), JSON.stringify({ revision: FLOOR_REVISION, roots: ["gatehouse"] }));
    const out = join(work, "floor.tar.gz");
    const run = spawnSync(opa.path, ["build", "-t", "wasm", "-b", ".", "-o", out, "-e", "gatehouse/decision"], {
      cwd: src,
      encoding: "utf8",
    });
    if (run.status !== 0)
      throw new Error(`bench: opa build of the floor failed: ${(run.stderr || run.stdout).trim().split("\n")[0]}`);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
