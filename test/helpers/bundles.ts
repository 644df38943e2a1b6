import { cpSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../core/package-root.js";
import { buildDir, tempDir } from "./policy.js";

const quickstart = join(packageRoot(), "examples", "quickstart");

/** The quick-start requests (examples/quickstart/requests.jsonl), parsed. */
export const QUICKSTART_REQUESTS: readonly unknown[] = readFileSync(join(quickstart, "requests.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as unknown);

/** A built bundle: its bytes and manifest revision. */
export interface TestBundle {
  readonly bytes: Uint8Array;
  readonly revision: string;
}

let cached: Promise<TestBundle> | undefined;
let variant: Promise<TestBundle> | undefined;

async function compile(dir: string): Promise<TestBundle> {
  const c = await buildDir(dir);
  return { bytes: c.built.bundle, revision: c.built.revision };
}

/**
 * Builds a test bundle, or reuses the one built under `name` in GATEHOUSE_TEST_BUNDLE_CACHE when
 * that is set: the decision-path mutation run sets it to a fresh directory of its own, since it
 * mutates no compiler code and would otherwise compile the same bundles for every mutant.
 */
async function build(dir: string, name: string): Promise<TestBundle> {
  return cachedBundle(name, () => compile(dir));
}

/** The bundle `make` builds, reused from GATEHOUSE_TEST_BUNDLE_CACHE under `name` when that is set. */
export async function cachedBundle(name: string, make: () => Promise<TestBundle>): Promise<TestBundle> {
  const cache = process.env.GATEHOUSE_TEST_BUNDLE_CACHE;
  if (cache === undefined || cache === "") return make();
  const file = join(cache, `${name}.json`);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as { bytes: string; revision: string };
    return { bytes: new Uint8Array(Buffer.from(saved.bytes, "base64")), revision: saved.revision };
  }
  const built = await make();
  writeFileSync(
    `${file}.${process.pid}`,
    JSON.stringify({ bytes: Buffer.from(built.bytes).toString("base64"), revision: built.revision }),
  );
  renameSync(`${file}.${process.pid}`, file);
  return built;
}

/** The quick-start bundle, built once per test file with the real opa. */
export function quickstartBundle(): Promise<TestBundle> {
  return (cached ??= build(quickstart, "quickstart"));
}

/**
 * The quick start with `erp-sync` blocked: a second bundle with another revision that denies the
 * first quick-start request (APP_BLOCKED) where the original allows it.
 */
export function blockedErpBundle(): Promise<TestBundle> {
  return (variant ??= (async () => {
    const dir = tempDir("gatehouse-variant-");
    cpSync(quickstart, dir, { recursive: true });
    const apps = readFileSync(join(dir, "apps.yaml"), "utf8");
    const patched = apps.replace(/(name: erp-sync\n)/, "$1blocked: true\n");
    if (patched === apps) throw new Error("apps.yaml has no `name: erp-sync` to patch");
    writeFileSync(join(dir, "apps.yaml"), patched);
    return build(dir, "blocked-erp");
  })());
}
