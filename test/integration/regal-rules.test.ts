import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/policy.js";
import { lintRego } from "../helpers/regal.js";

/**
 * The project's own Regal rules (.regal/rules/gatehouse/) on seeded snippets: each shape of base
 * data that topdown pays for on every query is flagged where it is written, and the shapes the
 * templates rely on (lookups by key, reads through imports, the allowlisted index) are not.
 * A line ending in `# expect: <rule>[, <rule>…]` is where those findings must be, and nowhere else.
 */
const HEADER = [
  "package gatehouse.snippet",
  "",
  "import data.gatehouse.lib",
  "import data.gatehouse.net",
  "import data.gatehouse.policy",
  "",
].join("\n");

const HOSTILE: Record<string, string> = {
  "some-in over a table written from data": `
in_set(id, a) if {
	some g in data.gatehouse.policy.addressSets[id][a.family] # expect: base-data-iteration
	g.t[a.hex]
}`,
  "some k, v in over an imported table": `
names contains k if {
	some k, app in policy.apps # expect: base-data-iteration
	app.installed
}`,
  "membership in a lib table": `
known if input.grant in lib.grants # expect: base-data-iteration`,
  "every over a table": `
all_known if {
	every p in policy.profiles { # expect: base-data-iteration
		p.permissions
	}
}`,
  "a wildcard key": `
any_blocked if data.gatehouse.policy.apps[_].blocked # expect: base-data-iteration`,
  "an unbound key": `
profile_names contains name if {
	policy.profiles[name] # expect: base-data-iteration
}`,
  "comprehensions over tables": `
apps := [a | some a in data.gatehouse.policy.apps] # expect: base-data-iteration
masks := {k: m | m := policy.addressSets[input.id].v4.t[k]} # expect: base-data-iteration`,
  "iterating what an aliased import names": `
import data.gatehouse.policy.apps as declared

installed contains app if {
	some app in declared # expect: base-data-iteration
	app.installed
}`,
  "iterating through an import of the package root": `
import data.gatehouse

blocked if gatehouse.policy.apps[_].blocked # expect: base-data-iteration`,
  "iterating an address-set table that is not the index": `
in_set(id, a) if {
	some prefix, mask in policy.addressSets[id][a.family].t # expect: base-data-iteration
	startswith(a.hex, prefix)
	mask != 0
}`,
  "a table compared": `
no_sets if policy.addressSets == {} # expect: base-data-argument
other_lib if data.gatehouse.lib.grants != input.grants # expect: base-data-argument`,
  "a table passed to a built-in": `
has_apps if count(policy.apps) > 0 # expect: base-data-argument
profile_names := object.keys(data.gatehouse.policy.profiles) # expect: base-data-argument
stripped := object.remove(input, lib.request_fields) # expect: base-data-argument`,
  "an address set passed to a function": `
in_set(set, a) if set[a.family].t[a.hex]

trusted if in_set(policy.addressSets[policy.org.trustedIpRanges], net.source_address) # expect: base-data-argument`,
  "a table inside an array argument": `
merged := object.union_n([policy.permissionSets, policy.permissionSetGroups]) # expect: base-data-argument, base-data-argument`,
  "the policy bound to a rule": `
P := data.gatehouse.policy # expect: base-data-alias
tables := lib # expect: base-data-alias`,
  "a table bound to a rule in an else": `
known := input.known if input.known
else := policy.apps # expect: base-data-alias`,
  "a function returning a table": `
address_set(id) := policy.addressSets[id] # expect: base-data-alias`,
  "a table bound to a variable": `
in_set(id, a) if {
	t := data.gatehouse.policy.addressSets[id] # expect: base-data-alias
	t[a.family].t[a.hex]
}

unified if {
	apps = policy.apps # expect: base-data-alias
	apps[input.app.clientId]
}`,
};

const BENIGN: Record<string, string> = {
  "rules bound to entries looked up by key": `
app := policy.apps[input.app.clientId]

profile := data.gatehouse.policy.profiles[input.user.profile]`,
  "lookups by key as conditions, comparisons and arguments": `
blocked if policy.apps[input.app.clientId].blocked == true

interactive if lib.interactive_grants[input.grant]

open_org if policy.org.lockSessionsToIp == false

trusted if net.in_set(policy.org.trustedIpRanges, net.source_address)

octets := concat(".", [lib.octets[input.a], lib.octets[input.b]])

decision := {"allow": false, "revision": policy.revision}`,
  "the allowlisted index of an address set, and its table looked up by key": `
in_set(id, a) if {
	some q in policy.addressSets[id][a.family].q
	bits.and(policy.addressSets[id][a.family].t[substring(a.hex, 0, q)], lib.nibblebit[substring(a.hex, q, 1)]) != 0
}`,
  "keys bound before the lookup": `
member if {
	name := input.user.profile
	policy.profiles[name]
}

granted(p) if policy.profiles[input.user.profile].permissions[p]

some_set(ids) if {
	some id in ids
	policy.addressSets[id]
}`,
  "iteration over input, local values and virtual documents": `
roles contains r if some r in input.roles

firsts := [x | some x in [1, 2, 3]]

checks contains code if {
	some entry in data.gatehouse.engine.deny
	code := entry[1].code
}

parsed := net.parse(input.sourceIp)`,
};

interface Expected {
  readonly file: string;
  readonly title: string;
  readonly row: number;
}

/** Writes each snippet as its own module and returns the findings its markers expect. */
function seed(dir: string, snippets: Record<string, string>): Expected[] {
  const expected: Expected[] = [];
  Object.values(snippets).forEach((body, i) => {
    const file = `snippet_${i}.rego`;
    const text = `${HEADER}${body}\n`;
    writeFileSync(join(dir, file), text);
    text.split("\n").forEach((line, row) => {
      const marker = /# expect: (.+)$/.exec(line)?.[1];
      for (const title of marker?.split(",") ?? []) expected.push({ file, title: title.trim(), row: row + 1 });
    });
  });
  return expected;
}

/** The findings of the gatehouse rules, as the markers write them. */
function gatehouseFindings(dir: string, files: number): Expected[] {
  const report = lintRego(dir);
  expect(report.summary?.files_scanned).toBe(files);
  return (report.violations ?? [])
    .filter((v) => v.category === "gatehouse")
    .map((v) => ({ file: v.location.file.slice(dir.length + 1), title: v.title, row: v.location.row }));
}

const byPlace = (a: Expected, b: Expected): number =>
  a.file.localeCompare(b.file) || a.row - b.row || a.title.localeCompare(b.title);

describe("the gatehouse Regal rules", () => {
  it("flag every hostile shape of base data, each where it is written", () => {
    const dir = tempDir("gatehouse-regal-");
    const expected = seed(dir, HOSTILE);
    expect(new Set(expected.map((e) => e.file)).size).toBe(Object.keys(HOSTILE).length);
    expect(gatehouseFindings(dir, Object.keys(HOSTILE).length).sort(byPlace)).toEqual(expected.sort(byPlace));
  });

  it("stay quiet on lookups by key, imports and the allowlisted index", () => {
    const dir = tempDir("gatehouse-regal-");
    expect(seed(dir, BENIGN)).toEqual([]);
    expect(gatehouseFindings(dir, Object.keys(BENIGN).length)).toEqual([]);
  });
});
