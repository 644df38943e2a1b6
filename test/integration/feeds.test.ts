import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { readArchive } from "../../core/bundle-archive.js";
import { Authorizer } from "../../wasm/index.js";
import { gatehouse } from "../helpers/cli.js";
import { buildDir, compileDir, ORG, policyDir, tempDir } from "../helpers/policy.js";

const sha256 = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex");

/**
 * A deterministic feed in the AWS `ip-ranges.json` format: for each of three regions, EC2 and
 * S3 prefixes in their own /8, and one IPv6 prefix each.
 */
function awsFeed(): string {
  const regions = ["eu-west-1", "us-east-1", "ap-southeast-2"];
  const prefixes = regions.flatMap((region, r) =>
    Array.from({ length: 40 }, (_, i) => ({
      ip_prefix: `${10 + r}.${i}.0.0/16`,
      region,
      service: i % 4 === 3 ? "S3" : "EC2",
      network_border_group: region,
    })),
  );
  const ipv6 = regions.map((region, r) => ({
    ipv6_prefix: `2001:db8:${(r + 1).toString(16)}00::/40`,
    region,
    service: "EC2",
    network_border_group: region,
  }));
  return `${JSON.stringify({ syncToken: "1", createDate: "2026-01-01-00-00-00", prefixes, ipv6_prefixes: ipv6 }, null, 2)}\n`;
}

const PROFILE = [
  "kind: Profile",
  "name: Integration",
  "permissions: [ApiEnabled, ApiUserOnly]",
  "loginIpRanges: [{network: aws-eu-west-1-ec2}]",
  "---",
  "kind: ConnectedApp",
  "name: etl",
  "clientIds: [etl-key]",
  "permittedUsers: adminApproved",
  "profiles: [Integration]",
  "",
].join("\n");

const network = (feed: string): string => `kind: Network\nname: aws-eu-west-1-ec2\nranges:\n  - feed: ${feed}\n`;

const login = (sourceIp: string) => ({
  user: { userType: "Standard", profile: "Integration" },
  app: { clientId: "etl-key" },
  channel: "api",
  grant: "jwt_bearer",
  sourceIp,
  login: true,
});

interface Manifest {
  revision: string;
  metadata: { gatehouse: { feeds: Array<{ file: string; sha256: string }> } };
}

async function manifestOf(bundle: Uint8Array): Promise<Manifest> {
  const archive = await readArchive(bundle);
  if (!archive.ok) throw new Error(archive.message);
  return JSON.parse(new TextDecoder().decode(archive.files.get(".manifest"))) as Manifest;
}

describe("provider feeds", () => {
  it("builds a network from a feed filtered to one region, recording the feed's SHA-256 in the manifest", async () => {
    const feed = awsFeed();
    const dir = policyDir({
      "org.yaml": ORG,
      "policy/profiles.yaml": PROFILE,
      "policy/networks.yaml": network("{file: ../feeds/ip-ranges.json, regions: [eu-west-1], services: [EC2]}"),
      "feeds/ip-ranges.json": feed,
    });
    const c = await buildDir(dir);
    expect(c.diagnostics).toEqual([]);
    expect(c.policy?.feeds.map((f) => [f.file.relPath, f.network, f.kept])).toEqual([
      ["feeds/ip-ranges.json", "aws-eu-west-1-ec2", 31],
    ]);
    const manifest = await manifestOf(c.built.bundle);
    expect(manifest.metadata.gatehouse.feeds).toEqual([{ file: "feeds/ip-ranges.json", sha256: sha256(feed) }]);
    expect(manifest.revision).toBe(c.built.revision);

    const authorizer = await Authorizer.load(c.built.bundle);
    const decide = (ip: string): [boolean, string[]] => {
      const d = authorizer.decide(login(ip));
      return [d.allow, d.reasons.map((r) => r.code)];
    };
    expect(decide("10.0.1.2")).toEqual([true, []]); // EC2, eu-west-1
    expect(decide("2001:db8:100::1")).toEqual([true, []]); // EC2 IPv6, eu-west-1
    expect(decide("10.3.1.2")).toEqual([false, ["IP_OUTSIDE_LOGIN_RANGES"]]); // S3, eu-west-1
    expect(decide("11.0.1.2")).toEqual([false, ["IP_OUTSIDE_LOGIN_RANGES"]]); // EC2, us-east-1
  });

  it("refuses a feed whose SHA-256 differs from the pin, at the pin", async () => {
    const feed = awsFeed();
    const pinned = sha256("an older feed");
    const c = await compileDir(
      policyDir({
        "org.yaml": ORG,
        "profiles.yaml": PROFILE,
        "networks.yaml": network(`{file: ip-ranges.json, regions: [eu-west-1], sha256: "${pinned}"}`),
        "ip-ranges.json": feed,
      }),
    );
    expect(c.diagnostics.map((d) => [d.code, d.line, d.column, d.message, d.hint])).toEqual([
      [
        "GH218",
        4,
        64,
        `feed file \`ip-ranges.json\` has SHA-256 \`${sha256(feed)}\`, not the pinned \`${pinned}\``,
        "review the feed change, then update `sha256`",
      ],
    ]);
  });

  it("refuses a network whose feed filter matched nothing", async () => {
    const c = await compileDir(
      policyDir({
        "org.yaml": ORG,
        "profiles.yaml": PROFILE,
        "networks.yaml": network("{file: ip-ranges.json, regions: [eu-west-3]}"),
        "ip-ranges.json": awsFeed(),
      }),
    );
    expect(c.diagnostics.map((d) => [d.code, d.line, d.column, d.message, d.hint])).toEqual([
      [
        "GH216",
        3,
        1,
        "network `aws-eu-west-1-ec2` has no addresses",
        "add ranges, or correct the feed filter that matched nothing",
      ],
    ]);
  });
});

describe("examples", () => {
  const examples = join(packageRoot(), "examples");

  it.each(["quickstart", "aws-egress"])("`gatehouse check examples/%s` finds no problems", async (name) => {
    expect(await gatehouse(["check", join(examples, name), "--fail-on-warnings"])).toEqual({
      code: 0,
      stdout: "no problems found\n",
      stderr: "",
    });
  });

  it("aws-egress builds with its pinned feed, and decides its Test cases as written", async () => {
    const dir = join(examples, "aws-egress");
    const c = await buildDir(dir);
    const feed = readFileSync(join(dir, "feeds", "aws-ip-ranges.json"));
    const manifest = await manifestOf(c.built.bundle);
    expect(manifest.metadata.gatehouse.feeds).toEqual([{ file: "feeds/aws-ip-ranges.json", sha256: sha256(feed) }]);
    expect(c.policy?.feeds.map((f) => [f.network, f.kept])).toEqual([
      ["aws-eu-west-1-ec2", 13],
      ["aws-us-east-1-ec2-ipv4", 6],
    ]);
    const run = await gatehouse(["build", dir, "-o", tempDir()]);
    expect(run.code).toBe(0);
    expect(run.stderr.split("\n").slice(0, 2)).toEqual([
      `gatehouse: feed feeds/aws-ip-ranges.json (sha256 ${sha256(feed)}): 13 prefixes for network \`aws-eu-west-1-ec2\``,
      `gatehouse: feed feeds/aws-ip-ranges.json (sha256 ${sha256(feed)}): 6 prefixes for network \`aws-us-east-1-ec2-ipv4\``,
    ]);
    const test = parse(readFileSync(join(dir, "tests.yaml"), "utf8")) as {
      cases: Array<{ name: string; request: unknown; expect: { allow: boolean; reasons: string[] } }>;
    };
    const authorizer = await Authorizer.load(c.built.bundle);
    for (const t of test.cases) {
      const d = authorizer.decide(t.request);
      expect({ name: t.name, allow: d.allow, reasons: d.reasons.map((r) => r.code) }).toEqual({
        name: t.name,
        ...t.expect,
      });
    }
  });
});
