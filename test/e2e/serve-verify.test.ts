import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { QUICKSTART_REQUESTS, blockedErpBundle, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { tempDir } from "../helpers/policy.js";
import { keyFile, keyPair, repack } from "../helpers/signing.js";
import { decideOver, serveInProcess, signed, until, type InProcessServe } from "../faults/fault-helpers.js";

let a: TestBundle;
let b: TestBundle;
let signedA: Uint8Array;
let signedB: Uint8Array;
let publicKey: string;
const running: InProcessServe[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
  const pair = keyPair("rsa");
  publicKey = keyFile("public.pem", pair.publicKey);
  [signedA, signedB] = await Promise.all([signed(a.bytes, pair.privateKey), signed(b.bytes, pair.privateKey)]);
});

afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function serve(options: Parameters<typeof serveInProcess>[0]): Promise<InProcessServe> {
  const s = await serveInProcess(options);
  running.push(s);
  return s;
}

/** Replaces the bundle file atomically, as a deploy would. */
function replace(file: string, bytes: Uint8Array | string): void {
  const next = `${file}.next`;
  writeFileSync(next, bytes);
  renameSync(next, file);
}

const health = async (url: string): Promise<unknown> => (await fetch(`${url}/health`)).json();
const metrics = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text();
const FIRST = QUICKSTART_REQUESTS[0];

describe("gatehouse serve verifies signatures at start and on every reload", () => {
  it("file watch: unsigned and tampered replacements are refused, the last good serves, /health and metrics say so", async () => {
    const file = join(tempDir(), "bundle.tar.gz");
    writeFileSync(file, signedA);
    const s = await serve({ bundle: file, verificationKey: publicKey });
    expect(await decideOver(s.url, FIRST)).toMatchObject({ result: { allow: true, revision: a.revision } });
    expect(await health(s.url)).toEqual({});
    expect(await metrics(s.url)).toContain('gatehouse_bundle_signature{status="verified"} 1');

    replace(file, b.bytes);
    await until(() => s.stderr().includes("refused: SIGNATURE_MISSING"), "the unsigned bundle's refusal");
    expect(await decideOver(s.url, FIRST)).toMatchObject({ result: { allow: true, revision: a.revision } });
    expect(await health(s.url)).toMatchObject({
      bundle: { revision: a.revision, refused: { code: "SIGNATURE_MISSING" } },
    });
    expect(await metrics(s.url)).toContain('gatehouse_bundle_refused{code="SIGNATURE_MISSING"} 1');

    const tampered = await repack(signedB, (files) => files.set("data.json", files.get("data.json")!.slice(0, -1)));
    replace(file, tampered);
    await until(() => s.stderr().includes("refused: SIGNATURE_FILE_HASH_MISMATCH"), "the tampered bundle's refusal");
    expect(await decideOver(s.url, FIRST)).toMatchObject({ result: { revision: a.revision } });

    replace(file, signedB);
    await until(() => s.stderr().includes(`loaded revision ${b.revision}`), "the good bundle");
    expect(await decideOver(s.url, FIRST)).toMatchObject({ result: { allow: false, revision: b.revision } });
    expect(await health(s.url)).toEqual({});
    expect(await metrics(s.url)).not.toContain("gatehouse_bundle_refused{");
    expect(await s.stop()).toBe(0);
  });

  it("URL polling: an unsigned bundle served at the URL is refused; the signed one after it is loaded", async () => {
    let current: Uint8Array = signedA;
    let etag = 1;
    const origin: Server = createServer((_req, res) => {
      res.writeHead(200, { ETag: `"${etag}"` }).end(current);
    });
    await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/bundle.tar.gz`;
      const s = await serve({ bundle: url, verificationKey: publicKey });
      current = b.bytes;
      etag++;
      await until(() => s.stderr().includes("refused: SIGNATURE_MISSING"), "the unsigned bundle's refusal");
      expect(await decideOver(s.url, FIRST)).toMatchObject({ result: { revision: a.revision } });
      current = signedB;
      etag++;
      await until(() => s.stderr().includes(`loaded revision ${b.revision}`), "the signed bundle");
      expect(await decideOver(s.url, FIRST)).toMatchObject({ result: { revision: b.revision } });
    } finally {
      origin.closeAllConnections();
      origin.close();
    }
  });

  it("refuses to start on an unsigned bundle, or a scope the signature lacks, when verification is on", async () => {
    const file = join(tempDir(), "bundle.tar.gz");
    writeFileSync(file, a.bytes);
    await expect(serveInProcess({ bundle: file, verificationKey: publicKey })).rejects.toThrow(/SIGNATURE_MISSING/);
    writeFileSync(file, signedA);
    await expect(serveInProcess({ bundle: file, verificationKey: publicKey, scope: "production" })).rejects.toThrow(
      /SIGNATURE_SCOPE_MISMATCH/,
    );
    await expect(serveInProcess({ bundle: file, scope: "production" })).rejects.toThrow(
      "`--scope` needs `--verification-key`",
    );
  });

  it("without a key, serves a signed bundle with a warning that it is not verified", async () => {
    const file = join(tempDir(), "bundle.tar.gz");
    writeFileSync(file, signedA);
    const s = await serve({ bundle: file });
    expect(s.stderr()).toContain(
      `gatehouse: warning: revision ${a.revision} is signed, but its signature is not verified; pass \`--verification-key\` to verify it\n`,
    );
    expect(await decideOver(s.url, FIRST)).toMatchObject({ result: { allow: true, revision: a.revision } });
    expect(await metrics(s.url)).toContain('gatehouse_bundle_signature{status="unverified"} 1');
  });
});
