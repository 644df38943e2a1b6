import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EmittedBundle } from "../../compiler/emit/index.js";
import { validatorFor } from "../../compiler/schemas.js";
import { NOTES, POLICY_REASON_CODES } from "../../core/codes.js";
import { packageRoot } from "../../core/package-root.js";
import { renderReasonsDoc } from "../../scripts/reasons-doc.js";
import { compileDir, ORG, policyDir } from "../helpers/policy.js";
import * as prettier from "prettier";

const root = packageRoot();

function rego(emitted: EmittedBundle): string {
  return [...emitted.files]
    .filter(([p]) => p.endsWith(".rego"))
    .map(([p, t]) => `# ${p}\n${t}`)
    .join("\n");
}

/** A feed in the AWS ip-ranges.json format with `v4` IPv4 and `v6` IPv6 prefixes over several regions. */
function syntheticFeed(v4: number, v6: number): string {
  const regions = ["eu-west-1", "us-east-1", "ap-southeast-2"];
  const prefixes = Array.from({ length: v4 }, (_, i) => ({
    ip_prefix: `${3 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`,
    region: regions[i % 3]!,
    service: i % 2 === 0 ? "AMAZON" : "EC2",
    network_border_group: regions[i % 3]!,
  }));
  const ipv6 = Array.from({ length: v6 }, (_, i) => ({
    ipv6_prefix: `2600:1f${(i >> 12).toString(16).padStart(2, "0")}:${(i & 4095).toString(16)}::/56`,
    region: regions[i % 3]!,
    service: "AMAZON",
    network_border_group: regions[i % 3]!,
  }));
  return JSON.stringify({ syncToken: "1", createDate: "2026-01-01-00-00-00", prefixes, ipv6_prefixes: ipv6 });
}

describe("the generated policy", () => {
  it("is the same Rego for 3 apps and for 10,000 apps with a 17k-prefix feed: rules are code, declarations data", async () => {
    const small = await compileDir(
      policyDir({
        "org.yaml": `${ORG}apiAccessControl: {allowlistedAppsOnly: true}\n`,
        "p.yaml": "kind: Profile\nname: P\npermissions: [ApiEnabled]\nloginIpRanges: [10.0.0.0/8]\n",
        "apps.yaml": ["a", "b", "c"]
          .map((n) => `kind: ConnectedApp\nname: ${n}\nclientIds: [${n}]\nipRelaxation: BYPASS\n`)
          .join("---\n"),
      }),
    );
    // The real provider feed when this checkout sits next to it, otherwise one of the same shape and size.
    const real = join(root, "..", "shared", "data", "aws-ip-ranges.json");
    const feed = existsSync(real) ? readFileSync(real, "utf8") : syntheticFeed(10_666, 6_160);
    const apps = Array.from(
      { length: 10_000 },
      (_, i) =>
        `kind: ConnectedApp\nname: app-${i}\nclientIds: [client-${i}]\nipRelaxation: BYPASS\npermittedUsers: adminApproved\nprofiles: [P]\n`,
    );
    const large = await compileDir(
      policyDir({
        "org.yaml": `${ORG}apiAccessControl: {allowlistedAppsOnly: true}\ntrustedIpRanges: [{network: cloud}]\n`,
        "p.yaml": "kind: Profile\nname: P\npermissions: [ApiEnabled]\nloginIpRanges: [10.0.0.0/8, {network: cloud}]\n",
        "n.yaml": "kind: Network\nname: cloud\nranges: [{feed: {file: feed.json}}]\n",
        "feed.json": feed,
        "apps.yaml": apps.join("---\n"),
      }),
    );
    expect(large.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(large.ir!.apps).toHaveLength(10_000);
    expect(large.ir!.feeds).toEqual([{ file: "feed.json", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string }]);
    expect(Math.max(...large.ir!.addressSets.map((s) => s.prefixCount.v4 + s.prefixCount.v6))).toBeGreaterThan(3_000);
    expect(rego(large.emitted!)).toBe(rego(small.emitted!));
  }, 120_000);

  it("names exactly the registry's reason and note codes", async () => {
    const c = await compileDir(policyDir({ "o.yaml": ORG }));
    const text = rego(c.emitted!);
    const quoted = new Set([...text.matchAll(/"([A-Z][A-Z_]+[A-Z])"/g)].map((m) => m[1]!));
    const codes = new Set<string>([...POLICY_REASON_CODES, ...NOTES.map((n) => n.code)]);
    expect(
      [...quoted].filter((q) => !codes.has(q) && !/^(ENFORCE|BYPASS|ENFORCE_RELAXREFRESH|BYPASS_2FACTOR)$/.test(q)),
    ).toEqual([]);
    expect([...codes].filter((code) => !quoted.has(code))).toEqual([]);
  });

  it("decides in the shape of schemas/decision.schema.json", async () => {
    const { Authorizer } = await import("../../wasm/index.js");
    const { buildDir } = await import("../helpers/policy.js");
    const c = await buildDir(join(root, "examples", "quickstart"));
    const authorizer = await Authorizer.load(c.built.bundle);
    const check = validatorFor("decision");
    for (const line of readFileSync(join(root, "examples", "quickstart", "requests.jsonl"), "utf8")
      .trim()
      .split("\n")) {
      const d = authorizer.decide(JSON.parse(line));
      expect(check(d), JSON.stringify(check.errors)).toBe(true);
    }
  });

  it("documents every code in docs/reasons.md (run `npm run generate` when this fails)", async () => {
    const options = (await prettier.resolveConfig(join(root, "package.json"))) ?? {};
    expect(readFileSync(join(root, "docs", "reasons.md"), "utf8")).toBe(
      await prettier.format(renderReasonsDoc(), { ...options, parser: "markdown" }),
    );
  });
});
