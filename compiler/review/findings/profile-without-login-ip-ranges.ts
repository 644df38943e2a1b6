import { familyWidth, type IpFamily } from "../../../core/address.js";
import type { AddressRange, PolicySet, ProfileModel } from "../../validate/model.js";
import type { FindingCheck, FindingDraft, FindingLocation } from "../finding.js";
import { describeUser, locate, locateFirst, userPermissions, usersOfProfile } from "../facts.js";
import { apiIncapableLicence } from "../licences.js";

const MAPPED_FIRST = 0xffffn << 32n;
const MAPPED_LAST = MAPPED_FIRST | 0xffffffffn;

/**
 * True when the ranges of `family` together admit every address of that family (for IPv6, every
 * address outside the IPv4-mapped block, which IPv6 ranges never match).
 */
export function coversFamily(ranges: readonly AddressRange[], family: IpFamily): boolean {
  const last = (1n << BigInt(familyWidth(family))) - 1n;
  const spans = ranges.filter((r) => r.family === family).map((r) => [r.first, r.last] as [bigint, bigint]);
  if (family === 6) spans.push([MAPPED_FIRST, MAPPED_LAST]);
  spans.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let next = 0n;
  for (const [first, end] of spans) {
    if (first > next) return false;
    if (end + 1n > next) next = end + 1n;
    if (next > last) return true;
  }
  return false;
}

/** True when the profile's users can call APIs: it grants `ApiEnabled`, or a declared user on it gets it from a permission set or group. */
function apiCapable(policy: PolicySet, profile: ProfileModel): boolean {
  if (apiIncapableLicence(profile.userLicense)) return false;
  if (profile.permissions.includes("ApiEnabled") || profile.unseen?.includes("permissions")) return true;
  return usersOfProfile(policy, profile.name).some((u) => userPermissions(policy, u).has("ApiEnabled"));
}

/** GR003: profiles of API-capable users with no login IP ranges, or ranges that admit every address. */
export const profileWithoutLoginIpRanges: FindingCheck = {
  spec: {
    id: "GR003",
    slug: "profile-without-login-ip-ranges",
    title: "API-capable profile without effective login IP ranges",
    severity: "critical",
    cvss: { min: 9.0, max: 10.0 },
    basis: "Security Health Review: Limit Login IP Ranges (Critical, CVSS 9.0–10.0)",
    checks:
      "Salesforce-managed standard profiles (`standard: true`) are reported together in one finding. Profiles whose licence cannot use the API (docs/review.md, licence table) are not examined. Every profile whose users can call APIs (it grants `ApiEnabled`, or a declared user on it gets `ApiEnabled` from a permission set or permission set group) must have login IP ranges, and they must not together admit every IPv4 or every IPv6 address.",
    threatScenarios: [
      "Stolen credentials or tokens are used from anywhere on the internet.",
      "Password spraying against API logins, which skip the interactive protections of the login page.",
      "A token captured from a developer laptop is replayed from attacker infrastructure.",
    ],
    securityImpact:
      "Login IP ranges are the only control that denies by network location; without them (or with ranges covering everything) nothing ties the profile's API access to the company's networks.",
    businessImpact:
      "Credential theft anywhere becomes data access everywhere; incident response cannot rely on network location to bound what an attacker reached.",
    recommendation:
      "Set login IP ranges on the profile to the corporate VPN and office egress ranges (or the integration's own egress), and turn on enforcement on every request.",
    affects: "Every user on the profile.",
    subjectKinds: ["Profile"],
  },
  check(policy) {
    const findings: FindingDraft[] = [];
    const standard: ProfileModel[] = [];
    let examined = 0;
    for (const profile of policy.profiles.values()) {
      if (!apiCapable(policy, profile)) continue;
      examined++;
      const affected = usersOfProfile(policy, profile.name).map(describeUser);
      if (profile.loginIpRanges.length === 0 && profile.standard === true && !profile.unseen?.length) {
        standard.push(profile);
        continue;
      }
      if (profile.loginIpRanges.length === 0) {
        findings.push({
          subject: { kind: "Profile", name: profile.name },
          message: `profile \`${profile.name}\` lets its API users log in from any address: it has no login IP ranges`,
          locations: [locateFirst(profile.doc, ["/loginIpRanges", "/name"], "no login IP ranges")],
          affected,
        });
        continue;
      }
      const open = ([4, 6] as const).filter((f) => coversFamily(profile.loginIpRanges, f));
      if (open.length === 0) continue;
      const locations: FindingLocation[] = [];
      const seen = new Set<string>();
      for (const r of profile.loginIpRanges) {
        if (!open.includes(r.family)) continue;
        const key = `${r.origin.doc.file.relPath}#${r.origin.doc.index}${r.origin.pointer}`;
        if (seen.has(key)) continue;
        seen.add(key);
        locations.push(locate(r.origin.doc, r.origin.pointer, `\`${r.text}\``));
      }
      findings.push({
        subject: { kind: "Profile", name: profile.name },
        message: `the login IP ranges of profile \`${profile.name}\` admit every ${open.map((f) => `IPv${f}`).join(" and every ")} address`,
        locations,
        affected,
      });
    }
    // Salesforce-managed standard profiles: one finding for all of them, at the first.
    if (standard.length > 0) {
      const names = standard.map((p) => `\`${p.name}\``).join(", ");
      findings.push({
        subject: { kind: "Profile", name: standard[0]!.name },
        message: `${standard.length} Salesforce-managed standard profile${standard.length === 1 ? "" : "s"} (${names}) let API users log in from any address: no login IP ranges`,
        locations: standard.map((p) => locateFirst(p.doc, ["/loginIpRanges", "/name"], "no login IP ranges")),
        affected: standard.flatMap((p) => usersOfProfile(policy, p.name).map(describeUser)),
      });
    }
    return { examined, findings };
  },
};
