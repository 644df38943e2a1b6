import { renameSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Authorizer, type Decision } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS, blockedErpBundle, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { tempDir } from "../helpers/policy.js";
import { keyFile, keyPair } from "../helpers/signing.js";
import { serveInProcess, signed, until, type InProcessServe } from "./fault-helpers.js";
import { hostileBundle } from "./hostile-wasm.js";

let a: TestBundle;
let b: TestBundle;
let expectedA: Decision[];
let expectedB: Decision[];
let privateKey: string;
let publicKey: string;

beforeAll(async () => {
  [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
  expectedA = (await Authorizer.load(a.bytes)).decideMany(QUICKSTART_REQUESTS);
  expectedB = (await Authorizer.load(b.bytes)).decideMany(QUICKSTART_REQUESTS);
  const pair = keyPair("rsa");
  privateKey = pair.privateKey;
  publicKey = keyFile("public.pem", pair.publicKey);
});

function replace(file: string, bytes: Uint8Array): void {
  writeFileSync(`${file}.next`, bytes);
  renameSync(`${file}.next`, file);
}

interface Tally {
  answered: number;
  failed: string[];
  revisions: string[];
}

/**
 * Keeps `clients` connections asking every quick-start request in turn until `stop` is set;
 * each answer must be 200 and exactly the decision of the revision it names.
 */
async function load(url: string, clients: number, stop: { done: boolean }, tally: Tally): Promise<void> {
  const expected = new Map([
    [a.revision, expectedA],
    [b.revision, expectedB],
  ]);
  const client = async (offset: number): Promise<void> => {
    for (let i = offset; !stop.done; i++) {
      const index = i % QUICKSTART_REQUESTS.length;
      try {
        const response = await fetch(`${url}/v1/data/gatehouse/decision`, {
          method: "POST",
          body: JSON.stringify({ input: QUICKSTART_REQUESTS[index] }),
        });
        const body = (await response.json()) as { result?: Decision };
        const want = expected.get(body.result?.revision ?? "")?.[index];
        if (response.status !== 200 || want === undefined)
          tally.failed.push(`${response.status} ${JSON.stringify(body)}`);
        else if (!isDeepStrictEqual(body.result, want)) tally.failed.push(`wrong: ${JSON.stringify(body)}`);
        else if (tally.revisions.at(-1) !== body.result!.revision) tally.revisions.push(body.result!.revision);
        tally.answered++;
      } catch (error) {
        tally.failed.push(`request failed: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
}

describe("gatehouse serve under load while its bundle is replaced by bad ones", () => {
  it("truncated archive, looping module, unsigned bundle, then a good one: zero failed or wrong decisions", async () => {
    const file = join(tempDir(), "bundle.tar.gz");
    writeFileSync(file, await signed(a.bytes, privateKey));
    const s = await serveInProcess({ bundle: file, verificationKey: publicKey, loadTimeout: 2 });
    const stop = { done: false };
    const tally: Tally = { answered: 0, failed: [], revisions: [] };
    const running = load(s.url, 8, stop, tally);
    try {
      const refusals = (): number => (s.stderr().match(/the new bundle was refused/g) ?? []).length;
      const whole = await signed(b.bytes, privateKey);
      replace(file, whole.subarray(0, Math.floor(whole.byteLength / 2)));
      await until(() => refusals() === 1, "the truncated archive's refusal");
      replace(file, await signed(await hostileBundle("eval-loop", "looping"), privateKey));
      await until(() => refusals() === 2, "the looping module's refusal");
      replace(file, b.bytes);
      await until(() => refusals() === 3, "the unsigned bundle's refusal");
      const answeredBeforeGood = tally.answered;
      replace(file, whole);
      await until(() => s.stderr().includes(`loaded revision ${b.revision}`), "the good bundle");
      await until(() => tally.revisions.at(-1) === b.revision || tally.failed.length > 0, "a decision by b");
      stop.done = true;
      await running;
      expect(s.stderr()).toMatch(
        /refused: BUNDLE_CORRUPT: [^\n]*\n[^]*refused: LOAD_TIMEOUT: [^\n]*\n[^]*refused: SIGNATURE_MISSING/,
      );
      expect(tally.failed).toEqual([]);
      expect(answeredBeforeGood).toBeGreaterThan(100);
      // The last good revision served until the good one arrived, then only the new one.
      expect(tally.revisions).toEqual([a.revision, b.revision]);
    } catch (error) {
      const failures = tally.failed.slice(0, 3).join("\n");
      throw new Error(`${(error as Error).message}\nserve said:\n${s.stderr()}\nfailures:\n${failures}`, {
        cause: error,
      });
    } finally {
      stop.done = true;
      await running;
      expect(await s.stop()).toBe(0);
    }
  }, 30_000);
});

describe("gatehouse serve refuses hostile HTTP bodies with the documented answers and stays up", () => {
  let s: InProcessServe;
  beforeAll(async () => {
    const file = join(tempDir(), "bundle.tar.gz");
    writeFileSync(file, a.bytes);
    s = await serveInProcess({ bundle: file, maxBodyBytes: 512 * 1024, watch: false });
  });
  afterAll(async () => {
    await s.stop();
  });

  const post = async (body: string | Uint8Array, headers: Record<string, string> = {}): Promise<[number, unknown]> => {
    const response = await fetch(`${s.url}/v1/data/gatehouse/decision`, { method: "POST", body, headers });
    return [response.status, await response.json()];
  };
  const stillDecides = async (): Promise<void> => {
    const [status, body] = await post(JSON.stringify({ input: QUICKSTART_REQUESTS[0] }));
    expect([status, (body as { result: Decision }).result]).toEqual([200, expectedA[0]]);
  };

  it.each([
    ["a body over the limit", "x".repeat(600 * 1024), {}, 413, "request body too large: the limit is 524288 bytes"],
    ["a gzip bomb", gzipSync(Buffer.alloc(64 << 20)), { "Content-Encoding": "gzip" }, 413, "request body too large"],
    ["not gzip although it says so", "plain", { "Content-Encoding": "gzip" }, 400, "could not gunzip the body"],
    ["malformed JSON", "{", {}, 400, "body contains malformed input document"],
    ["a JSON array", "[]", {}, 400, "the body must be a JSON object"],
    ["invalid UTF-8", Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]), {}, 400, "body contains malformed input document"],
  ] as const)("%s", async (_what, body, headers, status, message) => {
    const [got, answer] = await post(body, headers);
    expect(got).toBe(status);
    expect((answer as { message: string }).message).toContain(message);
    await stillDecides();
  });

  it("a request whose input is over the request limit is a deny, INPUT_INVALID", async () => {
    const input = { ...(QUICKSTART_REQUESTS[0] as object), padding: "\ud800".repeat(60_000) };
    const [status, body] = await post(JSON.stringify({ input }));
    expect(status).toBe(200);
    expect((body as { result: Decision }).result).toMatchObject({ allow: false, reasons: [{ code: "INPUT_INVALID" }] });
  });

  it("slow clients holding connections open do not stop others being answered", async () => {
    const sockets: Socket[] = [];
    const { port } = new URL(s.url);
    try {
      for (let i = 0; i < 50; i++) {
        const socket = connect(Number(port), "127.0.0.1");
        socket.on("error", () => undefined);
        socket.write(`POST /v1/data/gatehouse/decision HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"inp`);
        sockets.push(socket);
      }
      for (let i = 0; i < 20; i++) await stillDecides();
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
