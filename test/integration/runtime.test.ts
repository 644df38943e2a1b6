import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { writeArchive } from "../../core/bundle-archive.js";
import { packageRoot } from "../../core/package-root.js";
import {
  Authorizer,
  BundleError,
  OptionsError,
  unpackBundle,
  type BundleErrorCode,
  type Decision,
} from "../../wasm/index.js";
import { EXPLAIN_FILE } from "../../wasm/explain.js";
import { QUICKSTART_REQUESTS, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { runOpa } from "../helpers/opa.js";
import { tempDir } from "../helpers/policy.js";

let bundle: TestBundle;
let authorizer: Authorizer;
let expected: Decision[];

beforeAll(async () => {
  bundle = await quickstartBundle();
  authorizer = await Authorizer.load(bundle.bytes);
  expected = QUICKSTART_REQUESTS.map((r) => authorizer.decide(r));
});

const VALID = QUICKSTART_REQUESTS[0] as Record<string, unknown>;

function refused(message: string): Decision {
  return {
    allow: false,
    reasons: [{ code: "INPUT_INVALID", message, control: "input", source: null }],
    notes: [],
    revision: bundle.revision,
  };
}

describe("decide never throws, and denies what it cannot judge", () => {
  const cyclic: Record<string, unknown> = { ...VALID };
  cyclic.self = cyclic;
  const deepObject = (() => {
    let v: unknown = {};
    for (let i = 0; i < 100_000; i++) v = { v };
    return v;
  })();
  const throwing = Object.defineProperty({ ...VALID }, "user", {
    enumerable: true,
    get() {
      throw new Error("no user for you");
    },
  });
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();

  it.each<[string, unknown, string]>([
    ["a cycle", cyclic, "the request cannot be serialized as JSON"],
    ["a BigInt", { ...VALID, login: 1n }, "the request cannot be serialized as JSON"],
    ["a getter that throws", throwing, "the request cannot be serialized as JSON"],
    ["a revoked proxy", revoked.proxy, "the request cannot be serialized as JSON"],
    ["100 000 levels of objects", deepObject, "the request cannot be serialized as JSON"],
    ["undefined", undefined, "the request is not a JSON object"],
    ["a function", () => true, "the request is not a JSON object"],
    ["a symbol", Symbol("request"), "the request is not a JSON object"],
    ["a 1 MB string", "x".repeat(1_000_000), "the request is larger than 65536 bytes"],
    [
      "a valid request with a 70 kB user id",
      { ...VALID, user: { id: "9".repeat(70_000) } },
      "the request is larger than 65536 bytes",
    ],
    [
      "65 levels of arrays",
      { user: JSON.parse("[".repeat(65) + "]".repeat(65)) as unknown },
      "the request nests deeper than 64 levels",
    ],
  ])("%s", (_name, request, message) => {
    expect(authorizer.decide(request)).toEqual(refused(message));
  });

  it.each<[string, unknown, string]>([
    ["null", null, "the request is not a JSON object"],
    ["a number", 42, "the request is not a JSON object"],
    ["a string", "allow me", "the request is not a JSON object"],
    ["an array", [VALID], "the request is not a JSON object"],
    [
      "an object with only unknown fields",
      { please: true },
      "the request does not match the input schema: missing `app`; missing `channel`; missing `grant`; missing `login`; missing `sourceIp`; missing `user`; unknown field `please`",
    ],
  ])("%s is judged by the policy's own validation", (_name, request, message) => {
    expect(authorizer.decide(request)).toEqual(refused(message));
  });

  it("decides the JSON value of what it is given: toJSON, inherited fields and flipping getters cannot smuggle a request past validation", () => {
    class WithToJson {
      constructor(readonly inner: unknown) {}
      toJSON(): unknown {
        return this.inner;
      }
    }
    // Serialized, this is the valid request; its own fields are not a request at all.
    expect(authorizer.decide(new WithToJson(VALID))).toEqual(authorizer.decide({ inner: VALID }));
    expect(authorizer.decide(Object.create(VALID) as object)).toEqual(authorizer.decide({}));
    let reads = 0;
    const flipping = Object.defineProperty({ ...VALID }, "login", {
      enumerable: true,
      get: () => (reads++ % 2 === 0 ? true : "yes"),
    });
    expect(authorizer.decide(flipping)).toEqual(expected[0]);
    expect(reads).toBe(1);
  });

  it("reads a lone surrogate as U+FFFD, as OPA's server does, instead of aborting the evaluation", () => {
    const decision = authorizer.decide({ ...VALID, user: { ...(VALID.user as object), id: "\ud800" } });
    expect(decision).toEqual(expected[0]);
    expect(authorizer.decide({ ...VALID, site: "\udfff" }).reasons[0]?.code).not.toBe("EVALUATION_ERROR");
    expect(authorizer.health()).toEqual({ traps: 0, restarts: 0, healthy: true });
  });

  it("decideJson gives decide's decision for JSON text, and INPUT_INVALID for text that is not JSON", () => {
    expect(QUICKSTART_REQUESTS.map((r) => authorizer.decideJson(JSON.stringify(r)))).toEqual(expected);
    expect(authorizer.decideJson("{nope")).toEqual(refused("the request is not valid JSON"));
    expect(authorizer.decideJson("")).toEqual(refused("the request is not valid JSON"));
  });

  it("decideMany decides in order", () => {
    expect(authorizer.decideMany(QUICKSTART_REQUESTS)).toEqual(expected);
    expect(authorizer.decideMany([])).toEqual([]);
  });
});

describe("memory", () => {
  it("is bounded by maxMemoryPages and reported", async () => {
    const small = await Authorizer.load(bundle.bytes, { maxMemoryPages: 40 });
    const usage = small.memoryUsage();
    expect(usage.maximumPages).toBe(40);
    expect(usage.bytes).toBe(usage.pages * 65536);
    expect(usage.pages).toBeGreaterThanOrEqual(8);
    expect(usage.pages).toBeLessThanOrEqual(40);
  });

  it("a trap inside WebAssembly (opa_malloc failing under a too-small bound) is EVALUATION_ERROR, and a fresh instance serves the next request", async () => {
    const small = await Authorizer.load(bundle.bytes, { maxMemoryPages: 12, maxRequestBytes: 1 << 20 });
    const wide: Record<string, string[]> = {};
    for (let i = 0; i < 1500; i++) wide[`${"u".repeat(60)}${i}`] = ["x".repeat(10)];
    expect(small.decide(wide)).toEqual({
      allow: false,
      reasons: [
        {
          code: "EVALUATION_ERROR",
          message: "the policy could not be evaluated: opa_malloc: failed",
          control: "runtime",
          source: null,
        },
      ],
      notes: [],
      revision: bundle.revision,
    });
    expect(small.health()).toEqual({ traps: 1, restarts: 1, healthy: true });
    expect(small.decideMany(QUICKSTART_REQUESTS)).toEqual(expected);
    expect(small.memoryUsage().pages).toBeLessThanOrEqual(12);
  });

  it("survives repeated traps, each followed by a fresh instance", async () => {
    const small = await Authorizer.load(bundle.bytes, { maxMemoryPages: 12, maxRequestBytes: 1 << 20 });
    const wide: Record<string, string[]> = {};
    for (let i = 0; i < 1500; i++) wide[`${"u".repeat(60)}${i}`] = ["x".repeat(10)];
    for (let i = 0; i < 40; i++) expect(small.decide(wide).reasons[0]?.code).toBe("EVALUATION_ERROR");
    expect(small.health()).toEqual({ traps: 40, restarts: 40, healthy: true });
    expect(small.decideMany(QUICKSTART_REQUESTS)).toEqual(expected);
  });

  it("a request that cannot fit in the bound is EVALUATION_ERROR without a trap", async () => {
    const small = await Authorizer.load(bundle.bytes, { maxMemoryPages: 9, maxRequestBytes: 1 << 22 });
    const decision = small.decide({ ...VALID, user: { id: "x".repeat(2_000_000) } });
    expect(decision.reasons[0]?.code).toBe("EVALUATION_ERROR");
    expect(decision.reasons[0]?.message).toMatch(/^the request does not fit in the policy's memory: /);
    expect(small.health().traps).toBe(0);
  });
});

describe("loading", () => {
  it("loads the same bundle from a path, a file: URL, an http URL and bytes", async () => {
    const file = join(tempDir(), "bundle.tar.gz");
    writeFileSync(file, bundle.bytes);
    const server = createServer((_req, res) => res.writeHead(200).end(bundle.bytes));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundle.tar.gz`;
      const sources = [file, pathToFileURL(file), pathToFileURL(file).href, url, new URL(url), bundle.bytes];
      for (const source of sources) {
        const loaded = await Authorizer.load(source);
        expect(loaded.revision).toBe(bundle.revision);
        expect(loaded.decide(VALID)).toEqual(expected[0]);
      }
    } finally {
      server.close();
    }
  });

  it("gatehouse/runtime imports only the WebAssembly SDK, tar-stream, the signature libraries and Node built-ins: no compiler, no ajv", () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        if (spec!.startsWith(".")) visit(join(dirname(file), spec!));
        else external.add(spec!);
      }
    };
    visit(join(packageRoot(), "dist", "wasm", "index.js"));
    expect([...seen].some((f) => f.includes(`${join("dist", "compiler")}`))).toBe(false);
    // The JOSE library and the lossless JSON reader verify bundle signatures, as OPA does.
    expect([...external].filter((s) => !s.startsWith("node:")).sort()).toEqual([
      "@open-policy-agent/opa-wasm",
      "jose",
      "lossless-json",
      "tar-stream",
    ]);
  });
});

describe("load failures are BundleErrors with codes", () => {
  async function failure(load: () => Promise<unknown>): Promise<{ code: BundleErrorCode; message: string }> {
    try {
      await load();
    } catch (error) {
      expect(error).toBeInstanceOf(BundleError);
      const e = error as BundleError;
      return { code: e.code, message: e.message };
    }
    throw new Error("the load succeeded");
  }

  async function bundleWith(edit: (files: Map<string, Uint8Array>) => void): Promise<Uint8Array> {
    const files = new Map((await unpackBundle(bundle.bytes)).files);
    edit(files);
    return writeArchive([...files]);
  }
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);

  it("BUNDLE_UNREADABLE: a missing file", async () => {
    const path = join(tempDir(), "missing.tar.gz");
    expect(await failure(() => Authorizer.load(path))).toEqual({
      code: "BUNDLE_UNREADABLE",
      message: `cannot read the bundle: ENOENT: no such file or directory, open '${path}'`,
    });
  });

  it("BUNDLE_UNREADABLE: an HTTP error", async () => {
    const server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundle.tar.gz`;
      expect(await failure(() => Authorizer.load(url))).toEqual({
        code: "BUNDLE_UNREADABLE",
        message: `GET ${url} answered 404`,
      });
    } finally {
      server.close();
    }
  });

  it("BUNDLE_CORRUPT: bytes that are not a gzipped tar", async () => {
    expect((await failure(() => Authorizer.load(text("not a bundle")))).code).toBe("BUNDLE_CORRUPT");
  });

  it("BUNDLE_FILE_MISSING, MANIFEST_INVALID, WASM_INVALID and DATA_INVALID for a damaged bundle", async () => {
    const noManifest = await bundleWith((f) => f.delete(".manifest"));
    expect(await failure(() => Authorizer.load(noManifest))).toEqual({
      code: "BUNDLE_FILE_MISSING",
      message: "the bundle has no `.manifest`",
    });
    const badManifest = await bundleWith((f) => f.set(".manifest", text("{")));
    expect(await failure(() => Authorizer.load(badManifest))).toEqual({
      code: "MANIFEST_INVALID",
      message: "`.manifest` is not valid JSON",
    });
    const badWasm = await bundleWith((f) => f.set("policy.wasm", text("\0asm garbage")));
    expect((await failure(() => Authorizer.load(badWasm))).code).toBe("WASM_INVALID");
    const otherRevision = await bundleWith((f) => {
      const manifest = JSON.parse(new TextDecoder().decode(f.get(".manifest"))) as Record<string, unknown>;
      f.set(".manifest", text(JSON.stringify({ ...manifest, revision: "not-the-data-revision" })));
    });
    expect(await failure(() => Authorizer.load(otherRevision))).toEqual({
      code: "DATA_INVALID",
      message: `\`gatehouse/explain/data.json\` is not an explanation table: it carries revision \`${bundle.revision}\`, but the manifest says \`not-the-data-revision\``,
    });
    // The explanation table agreeing with the manifest, data.json still must.
    const otherDataRevision = await bundleWith((f) => {
      const manifest = JSON.parse(new TextDecoder().decode(f.get(".manifest"))) as Record<string, unknown>;
      f.set(".manifest", text(JSON.stringify({ ...manifest, revision: "not-the-data-revision" })));
      const table = JSON.parse(new TextDecoder().decode(f.get(EXPLAIN_FILE))) as Record<string, unknown>;
      f.set(EXPLAIN_FILE, text(JSON.stringify({ ...table, revision: "not-the-data-revision" })));
    });
    expect(await failure(() => Authorizer.load(otherDataRevision))).toEqual({
      code: "DATA_INVALID",
      message: `data.json carries revision \`${bundle.revision}\`, but the manifest says \`not-the-data-revision\``,
    });
  });

  it("MEMORY_LIMIT: data that does not fit in maxMemoryPages", async () => {
    const big = await bundleWith((f) => {
      const data = JSON.parse(new TextDecoder().decode(f.get("data.json"))) as Record<string, unknown>;
      f.set("data.json", text(JSON.stringify({ ...data, padding: "x".repeat(2_000_000) })));
    });
    const file = join(tempDir(), "big.tar.gz");
    writeFileSync(file, big);
    const result = await failure(() => Authorizer.load(file, { maxMemoryPages: 16 }));
    expect(result.code).toBe("MEMORY_LIMIT");
    expect(result.message).toMatch(/^data\.json does not fit in 16 memory pages: /);
  });

  describe("a policy whose module needs more memory than data.json suggests", () => {
    // opa build declares the memory import's minimum from the policy's static data: a 700 KB
    // constant makes it 13 pages, more than the 8 a small data.json asks for.
    let ballast: string;
    beforeAll(() => {
      const dir = tempDir();
      const rego = [
        "package gatehouse",
        "",
        `ballast := "${"x".repeat(700_000)}"`,
        "",
        'decision := {"allow": true, "reasons": [], "notes": [], "revision": data.gatehouse.revision} if count(ballast) > 0',
        "",
      ].join("\n");
      writeFileSync(join(dir, "policy.rego"), rego);
      writeFileSync(join(dir, ".manifest"), '{"revision":"ballast","roots":["gatehouse"]}');
      writeFileSync(join(dir, "data.json"), '{"gatehouse":{"revision":"ballast"}}');
      ballast = join(tempDir(), "ballast.tar.gz");
      const run = runOpa(["build", "-t", "wasm", "-e", "gatehouse/decision", "-b", ".", "-o", ballast], { cwd: dir });
      expect(run.status, run.stderr).toBe(0);
    });

    it("loads with the module's own minimum and decides", async () => {
      const loaded = await Authorizer.load(ballast);
      expect(loaded.memoryUsage().pages).toBeGreaterThanOrEqual(13);
      expect(loaded.decide(VALID)).toEqual({ allow: true, reasons: [], notes: [], revision: "ballast" });
    });

    it("MEMORY_LIMIT when that minimum is above maxMemoryPages", async () => {
      const result = await failure(() => Authorizer.load(ballast, { maxMemoryPages: 12 }));
      expect(result.code).toBe("MEMORY_LIMIT");
      expect(result.message).toMatch(/^policy\.wasm needs at least 1\d memory pages, more than the limit of 12$/);
    });
  });

  it("options it cannot honour are an OptionsError before any work", async () => {
    await expect(Authorizer.load(bundle.bytes, { maxMemoryPages: 0 })).rejects.toThrow(
      new OptionsError("`maxMemoryPages` must be an integer from 2 to 65536, got `0`"),
    );
    await expect(Authorizer.load(bundle.bytes, { maxRequestBytes: 1.5 })).rejects.toBeInstanceOf(OptionsError);
  });
});
