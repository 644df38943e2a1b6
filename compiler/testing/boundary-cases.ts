import { formatAddress, type IpFamily } from "../../core/address.js";
import { familyWidth } from "../../core/address.js";
import { mergeIntervals } from "../lower/prefix-cover.js";
import type { AddressRange, PolicySet } from "../validate/model.js";

/** One generated boundary case: a request from an address at the edge of a declared list. */
export interface BoundaryCase {
  /** A readable name, e.g. `profile Integration login IP ranges: last address 198.51.100.255`. */
  readonly name: string;
  readonly request: Record<string, unknown>;
  /** Which code must be present (or absent) in the decision. */
  readonly code: "IP_OUTSIDE_LOGIN_RANGES" | "IDENTITY_VERIFICATION_REQUIRED";
  readonly where: "reasons" | "notes";
  readonly expectPresent: boolean;
  /** The file (as the user names it) and line of the declaration whose list this case probes. */
  readonly file: string;
  readonly line: number;
}

/** Options for boundary generation. */
export interface BoundaryOptions {
  /** Most merged intervals probed per list (the first ones in address order). */
  readonly maxIntervalsPerList: number;
}

interface Probe {
  readonly label: string;
  readonly family: IpFamily;
  readonly value: bigint;
  readonly inside: boolean;
}

/** The first and last address of every merged interval and the addresses just outside it. */
function probes(ranges: readonly AddressRange[], limit: number): Probe[] {
  const out: Probe[] = [];
  for (const family of [4, 6] as const) {
    const max = (1n << BigInt(familyWidth(family))) - 1n;
    const merged = mergeIntervals(ranges.filter((r) => r.family === family)).slice(0, limit);
    for (const { first, last } of merged) {
      out.push({ label: "first address", family, value: first, inside: true });
      out.push({ label: "last address", family, value: last, inside: true });
      // INVARIANT: merged intervals neither overlap nor touch, so the neighbours are outside.
      if (first > 0n) out.push({ label: "address just before", family, value: first - 1n, inside: false });
      if (last < max) out.push({ label: "address just after", family, value: last + 1n, inside: false });
    }
  }
  return out;
}

/** The spellings a probe is sent in: IPv4 also in IPv4-mapped IPv6 form. */
function spellings(p: Probe): string[] {
  const text = formatAddress(p.family, p.value);
  return p.family === 4 ? [text, `::ffff:${text}`] : [text];
}

/**
 * Boundary cases for every declared list whose membership a decision reveals: each profile's
 * login IP ranges (a UI login from the address is refused with IP_OUTSIDE_LOGIN_RANGES exactly
 * when it is outside) and the org's trusted IP ranges (an interactive login by a profile without
 * login ranges carries IDENTITY_VERIFICATION_REQUIRED exactly when it is outside).
 */
export function boundaryCases(policy: PolicySet, options: BoundaryOptions): BoundaryCase[] {
  const cases: BoundaryCase[] = [];
  for (const profile of policy.profiles.values()) {
    if (profile.loginIpRanges.length === 0) continue;
    for (const p of probes(profile.loginIpRanges, options.maxIntervalsPerList)) {
      for (const sourceIp of spellings(p)) {
        cases.push({
          name: `profile \`${profile.name}\` login IP ranges: ${p.label} ${sourceIp}`,
          request: {
            user: { userType: "Standard", profile: profile.name },
            app: null,
            channel: "ui",
            grant: "password",
            sourceIp,
            login: true,
          },
          code: "IP_OUTSIDE_LOGIN_RANGES",
          where: "reasons",
          expectPresent: !p.inside,
          file: profile.doc.file.displayPath,
          line: profile.source.line,
        });
      }
    }
  }
  const open = [...policy.profiles.values()].find((p) => p.loginIpRanges.length === 0);
  if (open !== undefined && policy.org.trustedIpRanges.length > 0) {
    for (const p of probes(policy.org.trustedIpRanges, options.maxIntervalsPerList)) {
      for (const sourceIp of spellings(p)) {
        cases.push({
          name: `org \`${policy.org.name}\` trusted IP ranges: ${p.label} ${sourceIp}`,
          request: {
            user: { userType: "Standard", profile: open.name },
            app: null,
            channel: "ui",
            grant: "password",
            sourceIp,
            login: true,
          },
          code: "IDENTITY_VERIFICATION_REQUIRED",
          where: "notes",
          expectPresent: !p.inside,
          file: policy.org.doc.file.displayPath,
          line: policy.org.source.line,
        });
      }
    }
  }
  return cases;
}
