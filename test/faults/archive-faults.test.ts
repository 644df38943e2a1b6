import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { writeArchive } from "../../core/bundle-archive.js";
import { Authorizer } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { gatehouse } from "../helpers/cli.js";
import { tempDir } from "../helpers/policy.js";
import { repack } from "../helpers/signing.js";
import { decideOver, serveInProcess, until } from "./fault-helpers.js";

let good: TestBundle;
/** Damaged bundles, each with the code the runtime must refuse it with. */
let faults: Array<readonly [string, Uint8Array, string]>;

beforeAll(async () => {
  good = await quickstartBundle();
  const tar = gunzipSync(good.bytes);
  faults = [
    ["a truncated tar in valid gzip", gzipSync(tar.subarray(0, 1300)), "BUNDLE_CORRUPT"],
    ["a truncated gzip stream", good.bytes.subarray(0, good.bytes.byteLength - 100), "BUNDLE_CORRUPT"],
    ["bytes that are not gzip", new TextEncoder().encode("PK\u0003\u0004 a zip file"), "BUNDLE_CORRUPT"],
    [
      "a manifest whose wasm module is a number",
      await repack(good.bytes, (files) =>
        files.set(".manifest", new TextEncoder().encode('{"revision":"x","wasm":[{"module":42}]}')),
      ),
      "MANIFEST_INVALID",
    ],
    ["an empty archive", await writeArchive([]), "BUNDLE_FILE_MISSING"],
  ];
});

describe("damaged bundles: the documented error, and the process stays up", () => {
  it("gatehouse eval refuses each with its code and exit 2", async () => {
    const dir = tempDir();
    const input = join(dir, "request.json");
    writeFileSync(input, JSON.stringify(QUICKSTART_REQUESTS[0]));
    for (const [what, bytes, code] of faults) {
      const bundle = join(dir, "bundle.tar.gz");
      writeFileSync(bundle, bytes);
      const run = await gatehouse(["eval", "--bundle", bundle, "--input", input]);
      expect([what, run.code, run.stdout]).toEqual([what, 2, ""]);
      expect(run.stderr).toContain(`: ${code}: `);
    }
  });

  it("gatehouse serve refuses each on hot reload and keeps deciding with the last good bundle", async () => {
    const file = join(tempDir(), "bundle.tar.gz");
    writeFileSync(file, good.bytes);
    const s = await serveInProcess({ bundle: file });
    try {
      for (const [n, [, bytes, code]] of faults.entries()) {
        writeFileSync(`${file}.next`, bytes);
        renameSync(`${file}.next`, file);
        await until(() => (s.stderr().match(/the new bundle was refused/g) ?? []).length === n + 1, `refusal ${n + 1}`);
        expect(s.stderr().trimEnd().split("\n").at(-1)).toContain(`refused: ${code}: `);
        expect(await decideOver(s.url, QUICKSTART_REQUESTS[0])).toMatchObject({
          status: 200,
          result: { allow: true, revision: good.revision },
        });
      }
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it("a bomb is refused once it expands past the limit (BUNDLE_TOO_LARGE), by the API", async () => {
    const member = gzipSync(Buffer.alloc(1 << 20));
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
    const limits = { maxArchiveBytes: 1 << 30, maxTotalBytes: 8 << 20, maxEntries: 100 };
    await expect(Authorizer.load(bomb, { archiveLimits: limits })).rejects.toMatchObject({ code: "BUNDLE_TOO_LARGE" });
  });
});
