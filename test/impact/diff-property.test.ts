/**
 * The semantic diff against the runtime, on random pairs of small policy sets (the head is the
 * base with one part — the org, a profile, a permission set or an app — taken from another random
 * policy set, or nothing changed). For every pair:
 *   - soundness: when the diff reports no change, no request of a large random sample (addresses
 *     at every range boundary of both versions, in plain and mapped form) decides differently;
 *   - completeness: every sampled request that decides differently is covered by a reported row;
 *   - every row reproduces: its example, and its example moved to each end of each address range
 *     and to each grant and login the row lists, decide in each version as the row says.
 * Seeded; GATEHOUSE_DIFF_PROPERTY_RUNS scales the number of pairs (500 in CI, 100 elsewhere).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { formatAddress, parseAddress } from "../../core/address.js";
import { lower } from "../../compiler/lower/index.js";
import { classify, type ImpactRow } from "../../impact/classify.js";
import { decisionKey, diffVersions } from "../../impact/decide.js";
import { spansOf } from "../../impact/regions.js";
import type { PolicyVersion } from "../../impact/version.js";
import { compileText } from "../helpers/compile-text.js";
import { authorizerForEmitted } from "../helpers/wasm-bundle.js";
import { ADDRESSES, GRANTS, USER_TYPES, policyArb, policyYaml, type GenPolicy } from "../property/arbitraries.js";

// 500 pairs in CI (about seven CPU-minutes); 100 by default elsewhere.
const RUNS = Number(process.env.GATEHOUSE_DIFF_PROPERTY_RUNS ?? (process.env.CI ? 500 : 100));
/** Pairs of the generator's full size (three profiles, two permission sets, four apps), slower to enumerate. */
const FULL_RUNS = Number(process.env.GATEHOUSE_DIFF_PROPERTY_FULL_RUNS ?? 10);
const SAMPLE = 120;
const SEED = 20261207;

/**
 * The generator's policy set made smaller, so that hundreds of exact diffs fit in a test run: two
 * apps (the others absent), at most one range per list and one site per app. Every kind of
 * declaration and setting still varies.
 */
function small(gen: GenPolicy): GenPolicy {
  const one = (ranges: unknown[]): unknown[] => ranges.slice(0, 1);
  return {
    org: { ...gen.org, trusted: one(gen.org.trusted) },
    profiles: gen.profiles.map((p) => ({ ...p, ranges: p.ranges === null ? null : one(p.ranges) })),
    permissionSets: gen.permissionSets,
    groups: gen.groups,
    apps: gen.apps.map((a, i) => ({
      ...a,
      present: a.present && i < 2,
      trusted: one(a.trusted),
      sites: a.sites === null ? null : a.sites.slice(0, 1),
    })),
  };
}

/** The head: the base with one part swapped in from `other` (part 0 and 14: nothing). */
function mutate(base: GenPolicy, other: GenPolicy, part: number): GenPolicy {
  if (part === 1) return { ...base, org: other.org };
  if (part >= 2 && part <= 4) {
    const profiles = [...base.profiles] as GenPolicy["profiles"];
    profiles[part - 2] = other.profiles[part - 2]!;
    return { ...base, profiles };
  }
  if (part >= 5 && part <= 7) {
    const permissionSets = [...base.permissionSets] as GenPolicy["permissionSets"];
    permissionSets[part - 5] = other.permissionSets[part - 5]!;
    return { ...base, permissionSets };
  }
  if (part === 8 || part === 9) {
    const groups = [...base.groups] as GenPolicy["groups"];
    groups[part - 8] = other.groups[part - 8]!;
    return { ...base, groups };
  }
  if (part >= 10 && part <= 13) {
    const apps = [...base.apps];
    apps[part - 10] = other.apps[part - 10]!;
    return { ...base, apps };
  }
  return base;
}

async function versionOf(gen: GenPolicy): Promise<PolicyVersion> {
  const c = compileText({ "policy.yaml": policyYaml(gen, stringify) });
  if (!c.policy || !c.emitted) throw new Error(c.diagnostics.map((d) => d.message).join("; "));
  return { ir: lower(c.policy).value!, policy: c.policy, decider: await authorizerForEmitted(c.emitted) };
}

/** Every range boundary of both versions and its neighbours, IPv4 ones also in mapped form. */
function boundaryAddresses(versions: readonly PolicyVersion[]): string[] {
  const out = new Set<string>(ADDRESSES);
  for (const v of versions)
    for (const set of v.ir.addressSets)
      for (const s of spansOf(set)) {
        const top = s.family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
        for (const a of [s.first - 1n, s.first, s.last, s.last + 1n]) {
          if (a < 0n || a > top) continue;
          out.add(formatAddress(s.family, a));
          if (s.family === 4) out.add(`::ffff:${formatAddress(4, a)}`);
        }
      }
  return [...out];
}

function sampleArb(addresses: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const address = fc.constantFrom(...addresses);
  return fc.record(
    {
      user: fc.record(
        {
          userType: fc.constantFrom(...USER_TYPES),
          profile: fc.constantFrom("P0", "P1", "P2", "P3"),
          permissionSets: fc.subarray(["S0", "S1", "S2", "S9"]),
          permissionSetGroups: fc.subarray(["G0", "G1", "G9"]),
        },
        { requiredKeys: ["userType", "profile", "permissionSets"] },
      ),
      app: fc.option(fc.record({ clientId: fc.constantFrom("c0", "c1", "c2", "c3", "c4") }), { nil: null, freq: 6 }),
      channel: fc.constantFrom("api", "ui"),
      grant: fc.constantFrom(...GRANTS),
      sourceIp: address,
      login: fc.boolean(),
      session: fc.record(
        { originIp: address, highAssurance: fc.boolean(), identityVerified: fc.boolean() },
        { requiredKeys: [] },
      ),
      site: fc.constantFrom("s0", "s1", "s9"),
      priorAuthorization: fc.boolean(),
    },
    { requiredKeys: ["user", "app", "channel", "grant", "sourceIp", "login"] },
  );
}

/** Whether `row` describes `request` (by profile, app, user type, channel, grant, login and address). */
function covers(row: ImpactRow, request: Record<string, unknown>, declared: ReadonlySet<string>): boolean {
  const user = request.user as { userType: string; profile: string };
  const app = request.app as { clientId: string } | null;
  const known = row.app.clientIds;
  const appMatches =
    app === null
      ? row.app.clientId === null
      : known.length > 0
        ? known.includes(app.clientId)
        : row.app.clientId !== null && !declared.has(app.clientId);
  const parsed = parseAddress(request.sourceIp as string);
  const inRange =
    parsed.ok &&
    row.addresses.some(
      (s) => s.family === parsed.value.family && s.first <= parsed.value.value && parsed.value.value <= s.last,
    );
  return (
    (row.profile === user.profile || (row.profile.startsWith("undeclared") && user.profile === "P3")) &&
    appMatches &&
    row.userTypes.some((u) => u.userTypes.includes(user.userType)) &&
    row.channels.includes(request.channel as "api" | "ui") &&
    row.grants.includes(request.grant as string) &&
    row.logins.includes(request.login as boolean) &&
    inRange
  );
}

/** The example of a row moved to each end of each of its ranges and to each grant and login it lists. */
function rowProbes(row: ImpactRow): Array<Record<string, unknown>> {
  const probes: Array<Record<string, unknown>> = [];
  for (const s of row.addresses)
    for (const a of [s.first, s.last]) {
      const ip = formatAddress(s.family, a);
      const session = row.example.session as { originIp?: string } | undefined;
      probes.push({
        ...row.example,
        sourceIp: ip,
        ...(session?.originIp ? { session: { ...session, originIp: ip } } : {}),
      });
    }
  for (const grant of row.grants) probes.push({ ...row.example, grant });
  for (const login of row.logins) probes.push({ ...row.example, login });
  return probes;
}

interface Tally {
  changedPairs: number;
  unchangedPairs: number;
  sampledDifferences: number;
}

/** The property, for pairs drawn from `policies`. */
function diffMatchesRuntime(
  policies: fc.Arbitrary<GenPolicy>,
  tally: Tally,
): fc.IAsyncProperty<[GenPolicy, GenPolicy, number, number]> {
  return fc.asyncProperty(policies, policies, fc.nat(14), fc.integer(), async (baseGen, otherGen, part, seed) => {
    const [base, head] = await Promise.all([versionOf(baseGen), versionOf(mutate(baseGen, otherGen, part))]);
    const result = diffVersions(base, head);
    expect(result.undecidable).toBe(0);
    expect(result.plan.bounded).toEqual([]);
    const report = classify(result);
    if (report.rows.length === 0) tally.unchangedPairs++;
    else tally.changedPairs++;
    // Every row reproduces with the runtime, at the ends of its ranges and for each grant and login.
    for (const row of report.rows)
      for (const probe of rowProbes(row)) {
        expect(decisionKey(base.decider.decide(probe)), JSON.stringify(probe)).toBe(decisionKey(row.base));
        expect(decisionKey(head.decider.decide(probe)), JSON.stringify(probe)).toBe(decisionKey(row.head));
      }
    // No sampled request decides differently unless a row covers it.
    const declared = new Set([base, head].flatMap((v) => v.ir.apps.flatMap((a) => a.clientIds)));
    const samples = fc.sample(sampleArb(boundaryAddresses([base, head])), { numRuns: SAMPLE, seed });
    for (const request of samples) {
      if (decisionKey(base.decider.decide(request)) === decisionKey(head.decider.decide(request))) continue;
      tally.sampledDifferences++;
      expect(report.rows.length, `missed: ${JSON.stringify(request)}`).toBeGreaterThan(0);
      expect(
        report.rows.some((r) => covers(r, request, declared)),
        `no row covers ${JSON.stringify(request)}`,
      ).toBe(true);
    }
  });
}

describe("semantic diff against the runtime on random policy pairs", () => {
  it(`reports exactly the requests that decide differently, on ${RUNS} small pairs`, async () => {
    const tally = { changedPairs: 0, unchangedPairs: 0, sampledDifferences: 0 };
    await fc.assert(diffMatchesRuntime(policyArb.map(small), tally), { seed: SEED, numRuns: RUNS, endOnFailure: true });
    // The generator must reach both outcomes, or the property would prove little.
    expect(tally.changedPairs).toBeGreaterThan(RUNS / 4);
    expect(tally.unchangedPairs).toBeGreaterThan(RUNS / 20);
    expect(tally.sampledDifferences).toBeGreaterThan(RUNS);
  }, 900_000);

  it(`and on ${FULL_RUNS} pairs of the generator's full size`, async () => {
    const tally = { changedPairs: 0, unchangedPairs: 0, sampledDifferences: 0 };
    await fc.assert(diffMatchesRuntime(policyArb, tally), { seed: SEED + 1, numRuns: FULL_RUNS, endOnFailure: true });
    expect(tally.changedPairs).toBeGreaterThan(0);
  }, 900_000);
});
