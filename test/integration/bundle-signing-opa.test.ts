import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeArchive } from "../../core/bundle-archive.js";
import { opaHashedJson, type SigningAlgorithm } from "../../core/bundle-signing.js";
import { packageRoot } from "../../core/package-root.js";
import { build, bundleSigner, capabilitiesPath, signBundle, type BundleSigner } from "../../compiler/build/index.js";
import type { EmittedBundle } from "../../compiler/emit/index.js";
import { Authorizer, BundleError, verifyBundle, type Decision } from "../../wasm/index.js";
import { opa, runOpa } from "../helpers/opa.js";
import { opaServerRefusal, withOpaServer } from "../helpers/servers.js";
import { compileDir, tempDir } from "../helpers/policy.js";
import { bundleFiles, flipByte, hmacSecret, keyFile, keyPair, repack } from "../helpers/signing.js";

const quickstart = join(packageRoot(), "examples", "quickstart");
const requests = readFileSync(join(quickstart, "requests.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as unknown);

/** Key material for one algorithm: what signs, and what verifies (both as files, as the CLIs take them). */
interface Keys {
  readonly algorithm: SigningAlgorithm;
  readonly signing: string;
  readonly verification: string;
}

function keysFor(algorithm: "RS256" | "ES256" | "HS256"): Keys {
  if (algorithm === "HS256") {
    const secret = keyFile("secret", hmacSecret());
    return { algorithm, signing: secret, verification: secret };
  }
  const pair = keyPair(algorithm === "RS256" ? "rsa" : "ec-p256");
  return { algorithm, signing: keyFile("key.pem", pair.privateKey), verification: keyFile("key.pub", pair.publicKey) };
}

function signerFor(keys: Keys, scope?: string): BundleSigner {
  const result = bundleSigner(readFileSync(keys.signing), {
    algorithm: keys.algorithm,
    ...(scope === undefined ? {} : { scope }),
  });
  if (!result.ok) throw new Error(result.message);
  return result.signer;
}

function writeFile(path: string, content: Uint8Array | string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** Runs `opa build` on the emitted sources (manifest included) and returns the bundle it wrote. */
function opaBuild(emitted: EmittedBundle, extra: readonly string[]): Uint8Array {
  const src = tempDir("gatehouse-opa-src-");
  for (const [path, text] of emitted.files) writeFile(join(src, path), text);
  const out = join(tempDir(), "bundle.tar.gz");
  const args = ["build", "-t", "wasm", "-b", ".", "-o", out, "--capabilities", capabilitiesPath(), ...extra];
  for (const e of emitted.entrypoints) args.push("-e", e);
  const run = runOpa(args, { cwd: src });
  if (run.status !== 0) throw new Error(`opa build failed: ${run.stderr}${run.stdout}`);
  return readFileSync(out);
}

/** Asks `opa build` to verify a bundle file (it refuses to build from a bundle that fails). */
function opaVerifies(bundle: Uint8Array, keys: Keys, extra: readonly string[] = []): { ok: boolean; output: string } {
  const dir = tempDir();
  const path = writeFile(join(dir, "in.tar.gz"), bundle);
  const run = runOpa([
    "build",
    "-b",
    path,
    "-o",
    join(dir, "out.tar.gz"),
    "--verification-key",
    keys.verification,
    "--signing-alg",
    keys.algorithm,
    ...extra,
  ]);
  return { ok: run.status === 0, output: `${run.stderr}${run.stdout}` };
}

async function refusal(load: Promise<unknown>): Promise<string> {
  try {
    await load;
  } catch (error) {
    if (error instanceof BundleError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return "loaded";
}

describe("bundle signatures against the real opa", () => {
  let emitted: EmittedBundle;
  let unsignedDecisions: Decision[];
  beforeAll(async () => {
    const c = await compileDir(quickstart);
    emitted = c.emitted!;
    const unsigned = await build(emitted, opa());
    const authorizer = await Authorizer.load(unsigned.value!.bundle);
    unsignedDecisions = authorizer.decideMany(requests);
  });

  describe.each(["RS256", "ES256", "HS256"] as const)("%s", (algorithm) => {
    let keys: Keys;
    let signed: Uint8Array;
    beforeAll(async () => {
      keys = keysFor(algorithm);
      const built = await build(emitted, opa(), { signer: signerFor(keys) });
      expect(built.diagnostics).toEqual([]);
      signed = built.value!.bundle;
    });

    it("`opa run --server --bundle --verification-key` activates the Gatehouse-signed bundle and decides alike", async () => {
      const path = writeFile(join(tempDir(), "bundle.tar.gz"), signed);
      const args = ["--bundle", "--verification-key", keys.verification, "--signing-alg", algorithm, path];
      const fromOpa = await withOpaServer(args, async (base) => {
        const decisions: unknown[] = [];
        for (const input of requests.slice(0, 4)) {
          const response = await fetch(`${base}/v1/data/gatehouse/decision`, {
            method: "POST",
            body: JSON.stringify({ input }),
          });
          decisions.push(((await response.json()) as { result?: unknown }).result);
        }
        return decisions;
      });
      expect(fromOpa).toEqual(unsignedDecisions.slice(0, 4));
    });

    it("the runtime verifies and loads a bundle signed by `opa build --signing-key`", async () => {
      const bundle = opaBuild(emitted, ["--signing-key", keys.signing, "--signing-alg", algorithm]);
      expect([...(await bundleFiles(bundle)).keys()]).toContain(".signatures.json");
      const authorizer = await Authorizer.load(bundle, {
        verification: { key: readFileSync(keys.verification), algorithm },
      });
      expect(authorizer.decideMany(requests)).toEqual(unsignedDecisions);
      expect(await refusal(Authorizer.load(bundle))).toMatch(/^VERIFICATION_KEY_MISSING: /);
    });
  });

  it("`opa run` refuses a Gatehouse-signed bundle with one byte of policy.wasm flipped, as the runtime does", async () => {
    const keys = keysFor("RS256");
    const built = await build(emitted, opa(), { signer: signerFor(keys) });
    const tampered = await repack(built.value!.bundle, (f) => f.set("policy.wasm", flipByte(f.get("policy.wasm")!)));
    const path = writeFile(join(tempDir(), "bundle.tar.gz"), tampered);
    const refused = await opaServerRefusal(["--bundle", "--verification-key", keys.verification, path]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain("policy.wasm: digest mismatch");
    expect(await refusal(Authorizer.load(tampered, { verification: { key: readFileSync(keys.verification) } }))).toBe(
      "SIGNATURE_FILE_HASH_MISMATCH: `policy.wasm` does not match its signed SHA-256 hash",
    );
  });

  it("agrees with opa on scope: a signature's scope must equal the configured one, both ways", async () => {
    const keys = keysFor("RS256");
    const built = await build(emitted, opa(), { signer: signerFor(keys, "production") });
    const ours = built.value!.bundle;
    expect(opaVerifies(ours, keys, ["--scope", "production"]).ok).toBe(true);
    expect(opaVerifies(ours, keys).output).toContain("scope mismatch");
    const claims = writeFile(join(tempDir(), "claims.json"), JSON.stringify({ scope: "production" }));
    const theirs = opaBuild(emitted, ["--signing-key", keys.signing, "--claims-file", claims]);
    const key = readFileSync(keys.verification);
    await expect(Authorizer.load(theirs, { verification: { key, scope: "production" } })).resolves.toBeInstanceOf(
      Authorizer,
    );
    expect(await refusal(Authorizer.load(theirs, { verification: { key } }))).toBe(
      "SIGNATURE_SCOPE_MISMATCH: the signature has scope `production`, but no scope is configured",
    );
    expect(await refusal(Authorizer.load(theirs, { verification: { key, scope: "staging" } }))).toBe(
      "SIGNATURE_SCOPE_MISMATCH: the signature has scope `production`, but `staging` is configured",
    );
  });

  describe("hashes JSON files exactly as opa does", () => {
    // Keys whose code point order differs from UTF-16 order (U+E000 vs U+1F600), numbers written
    // in forms JSON.parse would normalize, every escape Go writes differently from JSON.stringify,
    // a lone surrogate, whitespace and unsorted keys.
    const data = [
      '{ "z": 1.0, "a": [1e2, -0, 1E+2, 12345678901234567890, 0.1],',
      '  "\\ue000": "private use", "😀": "astral",',
      '  "é": "\\u2028 and \\u2029 <&> \\u0007 \\b\\f\\n\\t \\/ \\ud800 x",',
      '  "nested": {"b": null, "a": true, "A": false} }',
    ].join("\n");
    const manifest = '{"revision": "r\\u2028", "metadata": {"note": "é😀", "n": 1.50}}';
    const rego = "package tricky\n\nx := 1\n";
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);

    it("re-encodes as Go's encoding/json does", () => {
      expect(opaHashedJson(text(data))).toBe(
        '{"a":[1e2,-0,1E+2,12345678901234567890,0.1],"nested":{"A":false,"a":true,"b":null},"z":1.0,' +
          '"é":"\\u2028 and \\u2029 <&> \\u0007 \\b\\f\\n\\t / \ufffd x","\ue000":"private use","😀":"astral"}',
      );
    });

    it("opa verifies a bundle Gatehouse signed over these bytes, and refuses it when a number is respelled", async () => {
      const keys = keysFor("RS256");
      const files = [
        [".manifest", text(manifest)],
        ["data.json", text(data)],
        ["tricky.rego", text(rego)],
      ] as const;
      const signed = await signBundle(files, signerFor(keys));
      if (!signed.ok) throw new Error(signed.message);
      const bundle = await writeArchive([[".signatures.json", signed.signatures], ...files]);
      expect(opaVerifies(bundle, keys)).toEqual({ ok: true, output: "" });
      const respelled = await repack(bundle, (f) => f.set("data.json", text(data.replace("1.0,", "1.00,"))));
      expect(opaVerifies(respelled, keys).output).toContain("data.json: digest mismatch");
      const reformatted = await repack(bundle, (f) => f.set("data.json", text(data.replaceAll(", ", " ,\n   "))));
      expect(opaVerifies(reformatted, keys).ok).toBe(true);
      const key = readFileSync(keys.verification);
      expect(await verifyBundle(await bundleFiles(reformatted), { key })).toMatchObject({ ok: true });
      expect(await verifyBundle(await bundleFiles(respelled), { key })).toMatchObject({
        ok: false,
        error: { code: "SIGNATURE_FILE_HASH_MISMATCH" },
      });
    });

    it("Gatehouse verifies a bundle opa signed over these files", async () => {
      const keys = keysFor("RS256");
      const src = tempDir();
      writeFile(join(src, "data.json"), data);
      writeFile(join(src, ".manifest"), manifest);
      writeFile(join(src, "tricky.rego"), rego);
      const out = join(tempDir(), "signed.tar.gz");
      const run = runOpa(["build", "-b", ".", "-o", out, "--signing-key", keys.signing], { cwd: src });
      expect(run.stderr).toBe("");
      const outcome = await verifyBundle(await bundleFiles(readFileSync(out)), {
        key: readFileSync(keys.verification),
      });
      expect(outcome).toEqual({ ok: true, signature: { algorithm: "RS256", keyId: "default", files: 3 } });
    });
  });
});
