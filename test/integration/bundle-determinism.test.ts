import { createHash } from "node:crypto";
import { cpSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readArchive } from "../../core/bundle-archive.js";
import { gatehouseVersion, packageRoot } from "../../core/package-root.js";
import { BUNDLE_GZIP_LEVEL, bundleSigner } from "../../compiler/build/index.js";
import { compile } from "../../compiler/pipeline.js";
import { opa } from "../helpers/opa.js";
import { buildDir, policyDir } from "../helpers/policy.js";
import { keyPair } from "../helpers/signing.js";

const quickstart = join(packageRoot(), "examples", "quickstart");

const FEED = JSON.stringify({
  prefixes: [
    { ip_prefix: "3.4.12.4/32", region: "eu-west-1", service: "AMAZON", network_border_group: "eu-west-1" },
    { ip_prefix: "3.5.140.0/22", region: "ap-northeast-2", service: "AMAZON", network_border_group: "ap-northeast-2" },
  ],
  ipv6_prefixes: [
    { ipv6_prefix: "2a05:d07a:a000::/40", region: "eu-west-1", service: "AMAZON", network_border_group: "eu-west-1" },
  ],
});

const VENDOR = `kind: Network
name: vendor-cloud
ranges:
  - feed:
      file: feeds/aws-ip-ranges.json
      regions: [eu-west-1]
---
kind: Profile
name: Vendor Integration
permissions: [ApiEnabled, ApiUserOnly]
loginIpRanges:
  - network: vendor-cloud
`;

const sha256 = (bytes: Uint8Array | string): string => createHash("sha256").update(bytes).digest("hex");

/** The quick start plus a network read from a provider feed, copied into a fresh directory. */
function policyCopy(): string {
  const dir = policyDir({ "vendor.yaml": VENDOR, "feeds/aws-ip-ranges.json": FEED });
  cpSync(quickstart, dir, { recursive: true, filter: (src) => !src.endsWith(".jsonl") });
  return dir;
}

describe("deterministic bundles", () => {
  it("two copies of one policy set in different directories build to byte-identical bundles", async () => {
    const [a, b] = [policyCopy(), policyCopy()];
    expect(a).not.toBe(b);
    const first = await buildDir(a);
    const second = await buildDir(b);
    expect(first.built.bundle.byteLength).toBeGreaterThan(10_000);
    expect(Buffer.from(second.built.bundle).equals(Buffer.from(first.built.bundle))).toBe(true);
    expect(second.built.revision).toBe(first.built.revision);
  });

  it("deflates at the bundle's gzip level, with Go's operating-system byte", async () => {
    const { bundle } = (await buildDir(policyCopy())).built;
    const tar = gunzipSync(bundle);
    const again = gzipSync(tar, { level: BUNDLE_GZIP_LEVEL });
    again[9] = 0xff;
    expect(Buffer.from(bundle).equals(again)).toBe(true);
    // Another level gives other bytes for the same files, so the comparison above can fail.
    const other = gzipSync(tar, { level: 9 });
    other[9] = 0xff;
    expect(Buffer.from(bundle).equals(other)).toBe(false);
  });

  it("stays byte-identical when signed with RS256", async () => {
    const signer = bundleSigner(new TextEncoder().encode(keyPair("rsa").privateKey));
    if (!signer.ok) throw new Error(signer.message);
    const build = (dir: string) => compile(dir, { opa: opa(), signer: signer.signer });
    const [first, second] = [await build(policyCopy()), await build(policyCopy())];
    expect(first.built?.signature).toEqual({ algorithm: "RS256", keyId: "default" });
    expect(Buffer.from(second.built!.bundle).equals(Buffer.from(first.built!.bundle))).toBe(true);
  });

  it("sets the manifest: a content-hash revision, the gatehouse root, versions, feed and source hashes", async () => {
    const dir = policyCopy();
    const { built } = await buildDir(dir);
    const archive = await readArchive(built.bundle);
    if (!archive.ok) throw new Error(archive.message);
    expect([...archive.files.keys()]).toEqual([
      ".manifest",
      "data.json",
      "gatehouse/explain/data.json",
      "gatehouse/allow.rego",
      "gatehouse/decision.rego",
      "gatehouse/explanations.rego",
      "gatehouse/facts.rego",
      "gatehouse/net.rego",
      "gatehouse/request.rego",
      "gatehouse/runtime.rego",
      "policy.wasm",
    ]);
    const manifest = JSON.parse(new TextDecoder().decode(archive.files.get(".manifest"))) as Record<string, unknown>;
    const yamlFiles = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .sort();
    expect(manifest).toMatchObject({
      revision: built.revision,
      roots: ["gatehouse"],
      rego_version: 1,
      metadata: {
        gatehouse: {
          version: gatehouseVersion(),
          opaVersion: "1.22.2",
          feeds: [{ file: "feeds/aws-ip-ranges.json", sha256: sha256(FEED) }],
          sources: yamlFiles.map((file) => ({ file, sha256: sha256(readFileSync(join(dir, file))) })),
        },
      },
      wasm: [
        expect.objectContaining({ entrypoint: "gatehouse/decision", module: "/policy.wasm" }),
        expect.objectContaining({ entrypoint: "gatehouse/runtime/decision", module: "/policy.wasm" }),
      ],
    });
    expect(built.revision).toMatch(/^[0-9a-f]{32}$/);
    const data = JSON.parse(new TextDecoder().decode(archive.files.get("data.json"))) as {
      gatehouse: { policy: { revision: string } };
    };
    expect(data.gatehouse.policy.revision).toBe(built.revision);
  });

  it("changes the revision with a declaration; a comment changes only the recorded source hash", async () => {
    const base = await buildDir(policyCopy());
    const commented = policyCopy();
    writeFileSync(join(commented, "vendor.yaml"), `${VENDOR}# reviewed by the security team\n`);
    const withComment = await buildDir(commented);
    expect(withComment.built.revision).toBe(base.built.revision);
    expect(Buffer.from(withComment.built.bundle).equals(Buffer.from(base.built.bundle))).toBe(false);
    const edited = policyCopy();
    writeFileSync(join(edited, "vendor.yaml"), VENDOR.replace("eu-west-1", "ap-northeast-2"));
    const withEdit = await buildDir(edited);
    expect(withEdit.built.revision).not.toBe(base.built.revision);
  });
});
