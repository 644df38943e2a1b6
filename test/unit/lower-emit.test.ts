import { describe, expect, it } from "vitest";
import { prefixKey } from "../../compiler/lower/index.js";
import { compileDir, ORG, policyDir } from "../helpers/policy.js";

describe("lower", () => {
  it("merges a profile's ranges and indexes their minimal prefixes by length, as hex keys", async () => {
    const c = await compileDir(
      policyDir({
        "o.yaml": ORG,
        "p.yaml": [
          "kind: Profile",
          "name: P",
          "loginIpRanges:",
          "  - {start: 10.0.0.0, end: 10.0.0.255}",
          "  - 10.0.1.0/24",
          "  - {start: 192.0.2.5, end: 192.0.2.6}",
          '  - "::ffff:198.51.100.0/120"',
          "  - 2001:db8::/33",
          "",
        ].join("\n"),
      }),
    );
    const ir = c.ir!;
    const setId = ir.profiles[0]!.loginIpRanges!;
    const set = ir.addressSets.find((s) => s.id === setId)!;
    expect(set.v4).toEqual([
      { length: 23, keys: ["0a0000"] },
      { length: 24, keys: ["c63364"] },
      { length: 32, keys: ["c0000205", "c0000206"] },
    ]);
    expect(set.v6).toEqual([{ length: 33, keys: ["20010db80"] }]);
    expect(set.prefixCount).toEqual({ v4: 4, v6: 1 });
  });

  it("masks the last hex digit of a prefix whose length is not a multiple of 4", () => {
    expect(prefixKey(4, { value: 0x0a000000n, length: 7 })).toBe("0a");
    expect(prefixKey(4, { value: 0xc0a80000n, length: 13 })).toBe("c0a8");
    expect(prefixKey(4, { value: 0n, length: 0 })).toBe("");
    expect(prefixKey(6, { value: 0x20010db8n << 96n, length: 30 })).toBe("20010db8");
  });

  it("shares identical address sets and keeps every table in a deterministic order", async () => {
    const files = {
      "o.yaml": `${ORG}trustedIpRanges: [203.0.113.0/24]\n`,
      "p.yaml":
        "kind: Profile\nname: B\nloginIpRanges: [203.0.113.0/24]\n---\nkind: Profile\nname: A\nloginIpRanges: [{start: 203.0.113.0, end: 203.0.113.255}]\n",
    };
    const c = await compileDir(policyDir(files));
    expect(c.ir!.addressSets).toHaveLength(1);
    expect(c.ir!.profiles.map((p) => p.name)).toEqual(["A", "B"]);
    expect(new Set([c.ir!.org.trustedIpRanges, ...c.ir!.profiles.map((p) => p.loginIpRanges)]).size).toBe(1);
  });

  it("resolves a list naming only networks once, however many profiles name them", async () => {
    const profile = (name: string, ranges: string): string =>
      `kind: Profile\nname: ${name}\nloginIpRanges: ${ranges}\n`;
    const c = await compileDir(
      policyDir({
        "o.yaml": ORG,
        "n.yaml":
          "kind: Network\nname: corp\nranges: [10.0.0.0/8]\n---\nkind: Network\nname: vpn\nranges: [192.0.2.0/24]\n",
        "p.yaml": [
          profile("A", "[{network: corp}, {network: vpn}]"),
          profile("B", "[{network: corp}, {network: vpn}]"),
          profile("C", "[{network: vpn}, {network: corp}]"),
          profile("D", "[{network: corp}, 10.1.0.0/16]"),
        ].join("---\n"),
      }),
    );
    const p = c.policy!.profiles;
    expect(p.get("B")!.loginIpRanges).toBe(p.get("A")!.loginIpRanges);
    expect(p.get("C")!.loginIpRanges).not.toBe(p.get("A")!.loginIpRanges);
    expect(new Set(c.ir!.profiles.map((x) => x.loginIpRanges)).size).toBe(2);
    expect(c.diagnostics.map((d) => `${d.code} ${d.line}: ${d.message}`)).toEqual([
      "GH300 15: `10.1.0.0/16` in the login IP ranges of profile `D` is already covered by `10.0.0.0/8`",
    ]);
  });
});

describe("emit", () => {
  it("is deterministic, and the revision changes with the declarations", async () => {
    const files = { "o.yaml": ORG, "p.yaml": "kind: Profile\nname: P\npermissions: [ApiEnabled]\n" };
    const a = await compileDir(policyDir(files));
    const b = await compileDir(policyDir(files));
    expect([...b.emitted!.files]).toEqual([...a.emitted!.files]);
    expect(a.emitted!.revision).toMatch(/^[0-9a-f]{32}$/);
    const c = await compileDir(
      policyDir({ ...files, "p.yaml": "kind: Profile\nname: P\npermissions: [ApiEnabled, ApiUserOnly]\n" }),
    );
    expect(c.emitted!.revision).not.toBe(a.emitted!.revision);
  });

  it("keeps data.json inside the manifest's roots (opa build is not given data.json to check it)", async () => {
    const c = await compileDir(policyDir({ "o.yaml": ORG, "p.yaml": "kind: Profile\nname: P\n" }));
    const data = JSON.parse(c.emitted!.files.get("data.json")!) as Record<string, unknown>;
    const manifest = JSON.parse(c.emitted!.files.get(".manifest")!) as { roots: string[] };
    expect(Object.keys(data)).toEqual(manifest.roots);
    expect(manifest.roots).toEqual(["gatehouse"]);
  });

  it("writes declarations as lookup tables keyed for direct access", async () => {
    const c = await compileDir(
      policyDir({
        "o.yaml": `${ORG}apiAccessControl: {allowlistedAppsOnly: true}\n`,
        "p.yaml": "kind: Profile\nname: P\npermissions: [ApiEnabled]\n",
        "a.yaml": "kind: ConnectedApp\nname: erp\nclientIds: [k1, k2]\npermittedUsers: adminApproved\nprofiles: [P]\n",
      }),
    );
    const data = JSON.parse(c.emitted!.files.get("data.json")!) as {
      gatehouse: { policy: Record<string, Record<string, unknown>> };
    };
    const policy = data.gatehouse.policy;
    expect(Object.keys(policy.apps!)).toEqual(["k1", "k2"]);
    expect(policy.apps!.k1).toEqual({
      name: "erp",
      installed: true,
      blocked: false,
      adminApproved: true,
      profiles: { P: true },
      permissionSets: {},
      permissionSetGroups: {},
      ipRelaxation: "ENFORCE",
      trustedIpRanges: null,
      highAssurance: null,
      sites: null,
      source: { kind: "ConnectedApp", name: "erp", file: "a.yaml", line: 1 },
    });
    expect(policy.profiles!.P).toEqual({
      permissions: { ApiEnabled: true },
      loginIpRanges: null,
      source: { kind: "Profile", name: "P", file: "p.yaml", line: 1 },
    });
    expect(policy.org).toMatchObject({ allowlistedAppsOnly: true, trustedIpRanges: null });
    expect(JSON.parse(c.emitted!.files.get(".manifest")!)).toMatchObject({
      revision: c.emitted!.revision,
      roots: ["gatehouse"],
    });
  });

  it("writes each address set as mask tables: key text before the last digit to a 16-bit mask of that digit", async () => {
    const c = await compileDir(
      policyDir({
        "o.yaml": `${ORG}trustedIpRanges: [0.0.0.0/0]\n`,
        "p.yaml": [
          "kind: Profile",
          "name: P",
          "loginIpRanges:",
          "  - 10.0.0.0/23",
          "  - 198.51.100.0/24",
          "  - {start: 192.0.2.5, end: 192.0.2.6}",
          "  - 2001:db8::/33",
          "",
        ].join("\n"),
      }),
    );
    const data = JSON.parse(c.emitted!.files.get("data.json")!) as {
      gatehouse: { policy: { addressSets: Record<string, unknown> }; lib: { nibblebit: Record<string, number> } };
    };
    const sets = data.gatehouse.policy.addressSets;
    expect(sets[c.ir!.profiles[0]!.loginIpRanges!]).toEqual({
      // /23: digit 0 of `0a000` with its last bit free (0, 1); /24: digit 4 of `c6336`; two /32s: digits 5 and 6.
      v4: { q: [7, 5], t: { "0a000": 0b11, c6336: 1 << 4, c000020: (1 << 5) | (1 << 6) } },
      // /33: only the top bit of the digit after `20010db8` is fixed (0), so digits 0-7.
      v6: { q: [8], t: { "20010db8": 0xff } },
    });
    expect(sets[c.ir!.org.trustedIpRanges!]).toEqual({ v4: { q: [0], t: { "": 0xffff } }, v6: { q: [], t: {} } });
    expect(data.gatehouse.lib.nibblebit).toMatchObject({ "0": 1, "9": 512, f: 32768 });
  });

  it("writes each permission set group's members minus muted permissions, and the groups assigning each app", async () => {
    const c = await compileDir(
      policyDir({
        "o.yaml": ORG,
        "p.yaml": "kind: Profile\nname: P\n",
        "s.yaml": [
          "kind: PermissionSet\nname: A\npermissions: [ApiEnabled, UseAnyApiClient]",
          "kind: PermissionSet\nname: B\npermissions: [ApiUserOnly]",
          "kind: PermissionSet\nname: C",
          "kind: PermissionSetGroup\nname: G\npermissionSets: [A, B]\nmutingPermissions: [UseAnyApiClient, ApproveUninstalledConnectedApps]",
          "kind: PermissionSetGroup\nname: H\npermissionSets: [C]",
        ].join("\n---\n"),
        "a.yaml":
          "kind: ConnectedApp\nname: erp\nclientIds: [k1]\npermittedUsers: adminApproved\npermissionSets: [B]\n",
      }),
    );
    const data = JSON.parse(c.emitted!.files.get("data.json")!) as {
      gatehouse: { policy: Record<string, Record<string, Record<string, unknown>>> };
    };
    const policy = data.gatehouse.policy;
    expect(policy.permissionSetGroups).toEqual({
      G: { permissions: { ApiEnabled: true, ApiUserOnly: true } },
      H: { permissions: {} },
    });
    expect(policy.apps!.k1!.permissionSetGroups).toEqual({ G: true });
  });
});
