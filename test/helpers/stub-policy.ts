import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeArchive } from "../../core/bundle-archive.js";
import { cachedBundle, type TestBundle } from "./bundles.js";
import { runOpa } from "./opa.js";
import { bundleFiles } from "./signing.js";
import { tempDir } from "./policy.js";

/** The source IP of a request the stub policy answers with its alternative answer. */
export const ALTERNATIVE_IP = "203.0.113.99";

/**
 * A policy built with the real opa whose decision is whatever data.json's `gatehouse.stub.answer`
 * holds, whatever the input (or none), but `gatehouse.stub.alternative` for a request from
 * ALTERNATIVE_IP: a stand-in for a policy that is wrong in a chosen way (a malformed decision,
 * another revision, an allow for a request the runtime's validator refuses). Built once;
 * `entrypoint` other than `gatehouse/decision` gives a module that lacks it.
 */
const built = new Map<string, Promise<TestBundle>>();

function stubPolicy(entrypoint: string): Promise<TestBundle> {
  const found = built.get(entrypoint);
  if (found) return found;
  const bundle = cachedBundle(`stub-${entrypoint.replace("/", "-")}`, () => {
    const dir = tempDir("gatehouse-stub-");
    writeFileSync(
      join(dir, "policy.rego"),
      [
        "package gatehouse",
        "",
        "decision := data.gatehouse.stub.answer if not alternative",
        "",
        "decision := data.gatehouse.stub.alternative if alternative",
        "",
        `alternative if input.sourceIp == "${ALTERNATIVE_IP}"`,
        "",
        "other := 1",
        "",
      ].join("\n"),
    );
    writeFileSync(join(dir, ".manifest"), '{"revision":"stub","roots":["gatehouse"]}');
    writeFileSync(join(dir, "data.json"), '{"gatehouse":{"stub":{}}}');
    const out = join(tempDir("gatehouse-stub-out-"), "bundle.tar.gz");
    const run = runOpa(["build", "-t", "wasm", "-e", entrypoint, "-b", ".", "-o", out], { cwd: dir });
    if (run.status !== 0) throw new Error(run.stderr);
    return Promise.resolve({ bytes: new Uint8Array(readFileSync(out)), revision: "stub" });
  });
  built.set(entrypoint, bundle);
  return bundle;
}

/**
 * A bundle whose policy answers `answer` to every request (and `alternative` to those from
 * ALTERNATIVE_IP; no decision at all when either is undefined), with `revision` in its manifest.
 */
export async function answeringBundle(
  answer: unknown,
  revision = "stub",
  options: { readonly entrypoint?: string; readonly alternative?: unknown } = {},
): Promise<Uint8Array> {
  const files = await bundleFiles((await stubPolicy(options.entrypoint ?? "gatehouse/decision")).bytes);
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const manifest = JSON.parse(new TextDecoder().decode(files.get(".manifest"))) as Record<string, unknown>;
  files.set(".manifest", text(JSON.stringify({ ...manifest, revision })));
  files.set(
    "data.json",
    text(
      JSON.stringify({
        gatehouse: { stub: { answer, alternative: "alternative" in options ? options.alternative : answer } },
      }),
    ),
  );
  return writeArchive([...files]);
}

/** A decision that allows, as a Gatehouse policy gives it. */
export function allowing(revision = "stub"): unknown {
  return { allow: true, reasons: [], notes: [], revision };
}
