import { readArchive, writeArchive } from "../../core/bundle-archive.js";
import { canonicalJson } from "../../core/canonical-json.js";
import type { EmittedBundle } from "../../compiler/emit/index.js";
import { Authorizer } from "../../wasm/index.js";
import { buildDir, ORG, policyDir } from "./policy.js";

interface Compiled {
  readonly wasm: Uint8Array;
  readonly wasmManifest: unknown;
  readonly rego: string;
}

let compiled: Promise<Compiled> | undefined;

function regoOf(emitted: EmittedBundle): string {
  return [...emitted.files]
    .filter(([p]) => p.endsWith(".rego"))
    .map(([p, t]) => `${p}\n${t}`)
    .join("\n");
}

/** policy.wasm built once with the real opa; every policy set shares it because the Rego is fixed. */
function compiledPolicy(): Promise<Compiled> {
  compiled ??= (async () => {
    const c = await buildDir(policyDir({ "org.yaml": ORG }));
    const archive = await readArchive(c.built.bundle);
    if (!archive.ok) throw new Error(archive.message);
    const manifest = JSON.parse(new TextDecoder().decode(archive.files.get(".manifest"))) as { wasm: unknown };
    return { wasm: archive.files.get("policy.wasm")!, wasmManifest: manifest.wasm, rego: regoOf(c.emitted!) };
  })();
  return compiled;
}

/**
 * A bundle for `emitted` assembled with the shared policy.wasm instead of a new `opa build`.
 * INVARIANT: valid only while the Rego is the same for every policy set, which it checks.
 */
export async function bundleFor(emitted: EmittedBundle): Promise<Uint8Array> {
  const shared = await compiledPolicy();
  if (regoOf(emitted) !== shared.rego) throw new Error("bundleFor: the Rego differs from the shared build");
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const manifest = { ...(JSON.parse(emitted.files.get(".manifest")!) as object), wasm: shared.wasmManifest };
  return writeArchive([
    [".manifest", text(canonicalJson(manifest))],
    ["data.json", text(emitted.files.get("data.json")!)],
    ...[...emitted.files].filter(([p]) => p.endsWith("/data.json")).map(([p, t]) => [p, text(t)] as const),
    ["policy.wasm", shared.wasm],
  ]);
}

/** An Authorizer for `emitted`, sharing the one compiled policy.wasm. */
export async function authorizerForEmitted(emitted: EmittedBundle): Promise<Authorizer> {
  return Authorizer.load(await bundleFor(emitted));
}
