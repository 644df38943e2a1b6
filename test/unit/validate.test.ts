import { describe, expect, it } from "vitest";
import { load } from "../../compiler/load/index.js";
import { validate } from "../../compiler/validate/index.js";
import { ORG, policyDir } from "../helpers/policy.js";

type Row = [code: string, line: number, column: number, message: string, hint?: string];

function diagnose(files: Record<string, string>): Row[] {
  const dir = policyDir(files);
  const loaded = load({ dir });
  expect(loaded.diagnostics).toEqual([]);
  return validate(loaded.value!).diagnostics.map((d) => {
    const row: Row = [d.code, d.line, d.column, d.message];
    if (d.hint !== undefined) row.push(d.hint);
    return row;
  });
}

describe("validate: schema errors map to the YAML node that caused them", () => {
  it("points at the key of an unknown property, with a did-you-mean hint", () => {
    expect(diagnose({ "o.yaml": ORG, "a.yaml": "kind: ConnectedApp\nname: erp\nclientID: [abc]\n" })).toEqual([
      ["GH102", 3, 1, "unknown property `clientID` in ConnectedApp", "did you mean `clientIds`?"],
    ]);
  });

  it("points at a bad value, and explains YAML 1.1 booleans", () => {
    expect(diagnose({ "o.yaml": ORG, "a.yaml": "kind: ConnectedApp\nname: erp\ninstalled: yes\n" })).toEqual([
      [
        "GH103",
        3,
        12,
        "`installed` must be a boolean, not the string `yes`",
        "YAML 1.2 reads `yes` as a string; write `true`",
      ],
    ]);
  });

  it("lists enum values and suggests the closest", () => {
    expect(diagnose({ "o.yaml": ORG, "a.yaml": "kind: ConnectedApp\nname: erp\nipRelaxation: BYPASS_2FA\n" })).toEqual([
      [
        "GH104",
        3,
        15,
        "`ipRelaxation` must be one of `ENFORCE`, `ENFORCE_RELAXREFRESH`, `BYPASS_2FACTOR`, `BYPASS`, not the string `BYPASS_2FA`",
        "did you mean `BYPASS_2FACTOR`? (`BYPASS` is equally close; `BYPASS_2FACTOR` is the least permissive of them)",
      ],
    ]);
  });

  it("explains numbers where text is needed (10.10 is a float in YAML)", () => {
    expect(diagnose({ "o.yaml": `${ORG}trustedIpRanges: [10.10]\n` })).toEqual([
      [
        "GH103",
        3,
        19,
        "`trustedIpRanges[0]` must be a string or a mapping, not the number `10.10`",
        'YAML reads `10.10` as a number; quote it to keep the text: `"10.10"`',
      ],
    ]);
  });

  it("reports a range entry with no recognisable keys once", () => {
    expect(diagnose({ "o.yaml": `${ORG}trustedIpRanges:\n  - {from: 10.0.0.1}\n` })).toEqual([
      [
        "GH101",
        4,
        5,
        "`trustedIpRanges[0]` is not a range: it needs `cidr`, `start` and `end`, or `network`",
        "write e.g. `10.0.0.0/8`, `{start: 10.0.0.1, end: 10.0.0.9}` or `{network: office}`",
      ],
    ]);
  });

  it("reports an unknown kind with a hint", () => {
    expect(diagnose({ "o.yaml": ORG, "x.yaml": "kind: ConnectedApplication\nname: x\n" })).toEqual([
      ["GH100", 1, 7, "unknown kind `ConnectedApplication`", "did you mean `ConnectedApp`?"],
    ]);
  });
});

describe("validate: what one run reports (docs/cli.md)", () => {
  it("reports every schema error, and the rule errors of every document that passes its schema", () => {
    const bad =
      "kind: ConnectedApp\nname: a1\nclientIds: [abc]\nbogus: 1\npermittedUsers: adminApproved\nprofiles: [Nope]\n";
    const good = "kind: ConnectedApp\nname: a2\nclientIds: [def]\npermittedUsers: adminApproved\nprofiles: [Nope2]\n";
    const codes = diagnose({ "o.yaml": ORG, "a.yaml": bad, "b.yaml": good }).map(([code, line]) => [code, line]);
    // The malformed document's reference is not guessed from its body; the other document's is reported.
    expect(codes).toEqual([
      ["GH102", 4],
      ["GH202", 5],
    ]);
  });
});

describe("validate: semantic errors", () => {
  it("reports unresolved references with a did-you-mean hint, and a label match with the name to use", () => {
    const rows = diagnose({
      "o.yaml": ORG,
      "p.yaml": "kind: Profile\nname: Integration\nlabel: API Only Integrations\n",
      "a.yaml":
        "kind: ConnectedApp\nname: erp\nclientIds: [x]\npermittedUsers: adminApproved\nprofiles: [Integraton, API Only Integrations]\n",
    });
    expect(rows).toEqual([
      ["GH202", 5, 12, "unknown profile `Integraton`", "did you mean `Integration`?"],
      [
        "GH202",
        5,
        24,
        "unknown profile `API Only Integrations`",
        "`API Only Integrations` is the label of profile `Integration`; references use names, so write `Integration`",
      ],
    ]);
  });

  it("reports duplicate names and client ids with both positions", () => {
    const dir = policyDir({
      "o.yaml": ORG,
      "a.yaml":
        "kind: ConnectedApp\nname: erp\nclientIds: [k1]\n---\nkind: ConnectedApp\nname: crm\nclientIds: [k1]\n---\nkind: ConnectedApp\nname: erp\n",
    });
    const result = validate(load({ dir }).value!);
    const dup = result.diagnostics.find((d) => d.code === "GH200");
    expect(dup).toMatchObject({ line: 10, column: 7, message: "connected app `erp` is declared twice" });
    expect(dup?.related?.[0]).toMatchObject({ line: 2, column: 7, message: "first declared here" });
    const client = result.diagnostics.find((d) => d.code === "GH201");
    expect(client).toMatchObject({
      line: 7,
      column: 13,
      message: "client id `k1` of connected app `crm` is also claimed by `erp`",
    });
    expect(client?.related?.[0]).toMatchObject({ line: 3, column: 13 });
  });

  it("needs exactly one Org", () => {
    expect(diagnose({ "s.yaml": "kind: Site\nname: s\n" }).map((r) => r[0])).toEqual(["GH203"]);
    expect(diagnose({ "o.yaml": ORG, "p.yaml": "kind: Org\nname: other\n" })).toEqual([
      ["GH203", 1, 7, "the policy set declares a second `Org` (`other`)", "a policy set has exactly one Org"],
    ]);
  });

  it.each([
    ["10.0.0.1/8", "GH211", "`10.0.0.1/8` has host bits set", "the prefix is `10.0.0.0/8`"],
    ["10.0.0.0/08", "GH212", "`10.0.0.0/08` has a leading zero in its prefix length `08`", "write `10.0.0.0/8`"],
    [
      "010.0.0.1",
      "GH210",
      "`010.0.0.1` has a leading zero in `010`, which some parsers read as octal",
      "write `10` if decimal was meant",
    ],
  ])("checks the CIDR %s", (cidr, code, message, hint) => {
    const row: Row = [code, 3, 19, message];
    if (hint !== undefined) row.push(hint);
    expect(diagnose({ "o.yaml": `${ORG}trustedIpRanges: [${cidr}]\n` })).toEqual([row]);
  });

  it.each([
    ["{start: 10.0.0.9, end: 10.0.0.1}", "GH213", "range `10.0.0.9–10.0.0.1` starts after it ends"],
    ['{start: 10.0.0.1, end: "2001:db8::1"}', "GH214", "range `10.0.0.1–2001:db8::1` mixes IPv4 and IPv6"],
    [
      '{start: "::fffe:0:0", end: "::ffff:10.0.0.1"}',
      "GH215",
      "range `::fffe:0:0–::ffff:10.0.0.1` straddles the IPv4-mapped block `::ffff:0:0/96`",
    ],
    [
      '{start: "::fffe:0:0", end: "::1:0:0:0"}',
      "GH215",
      "range `::fffe:0:0–::1:0:0:0` straddles the IPv4-mapped block `::ffff:0:0/96`",
    ],
  ])("checks the start–end range %s", (range, code, message) => {
    expect(diagnose({ "o.yaml": `${ORG}trustedIpRanges:\n  - ${range}\n` }).map((r) => [r[0], r[3]])).toEqual([
      [code, message],
    ]);
  });

  it("accepts a range written half in mapped form", () => {
    expect(diagnose({ "o.yaml": `${ORG}trustedIpRanges:\n  - {start: "::ffff:10.0.0.1", end: 10.0.0.9}\n` })).toEqual(
      [],
    );
  });

  it("reports cycles between networks and unknown networks", () => {
    const rows = diagnose({
      "o.yaml": `${ORG}trustedIpRanges: [{network: a}, {network: nope}]\n`,
      "n.yaml": "kind: Network\nname: a\nranges: [{network: b}]\n---\nkind: Network\nname: b\nranges: [{network: a}]\n",
    });
    expect(rows.map((r) => [r[0], r[3]])).toEqual([
      ["GH217", "networks refer to each other in a cycle: `a` → `b` → `a`"],
      ["GH202", "unknown network `nope`"],
    ]);
  });
});

describe("validate: warnings", () => {
  it("warns about overlapping ranges with both positions, and all-covering ranges", () => {
    const dir = policyDir({
      "o.yaml": `${ORG}trustedIpRanges:\n  - 10.0.0.0/8\n  - 10.1.0.0/16\n  - 0.0.0.0/0\n`,
    });
    const result = validate(load({ dir }).value!);
    expect(result.value).toBeDefined();
    expect(result.diagnostics.map((d) => [d.code, d.line, d.message])).toEqual([
      ["GH300", 4, "`10.0.0.0/8` in the trusted IP ranges of org `acme` is already covered by `0.0.0.0/0`"],
      ["GH300", 5, "`10.1.0.0/16` in the trusted IP ranges of org `acme` is already covered by `0.0.0.0/0`"],
      [
        "GH301",
        6,
        "`0.0.0.0/0` in the trusted IP ranges of org `acme` covers every IPv4 address, so it restricts nothing",
      ],
    ]);
    expect(result.diagnostics[0]?.related?.[0]?.line).toBe(6);
  });

  it("warns about connected-app settings Salesforce ignores", () => {
    const rows = diagnose({
      "o.yaml": ORG,
      "p.yaml": "kind: Profile\nname: P\n",
      "a.yaml":
        "kind: ConnectedApp\nname: a1\nclientIds: [k1]\npermittedUsers: adminApproved\n---\nkind: ConnectedApp\nname: a2\nclientIds: [k2]\nprofiles: [P]\ntrustedIpRanges: [192.0.2.0/24]\n---\nkind: ConnectedApp\nname: a3\nrunAsUser: ghost\n",
    });
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ["GH303", 4],
      ["GH304", 9],
      ["GH305", 10],
      ["GH306", 13],
      ["GH307", 14],
    ]);
  });
});
