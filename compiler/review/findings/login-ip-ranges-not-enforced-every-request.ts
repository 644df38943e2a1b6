import type { FindingCheck } from "../finding.js";
import { locateFirst } from "../facts.js";

/** GR010: login IP ranges are checked only at login. */
export const loginIpRangesNotEnforcedEveryRequest: FindingCheck = {
  spec: {
    id: "GR010",
    slug: "login-ip-ranges-not-enforced-every-request",
    title: "Login IP ranges are not enforced on every request",
    severity: "medium",
    cvss: { min: 4.0, max: 6.5 },
    basis: "Salesforce Health Check baseline: Enforce login IP ranges on every request (Medium risk)",
    checks: "The org must check login IP ranges on every request (`session.enforceLoginIpRangesEveryRequest`).",
    threatScenarios: ["A session or access token obtained inside the company network is replayed from outside it."],
    securityImpact:
      "Login IP ranges are checked only when a session or token is issued; afterwards it works from any address.",
    businessImpact: "The network boundary protects logins but not the sessions and tokens they produce.",
    recommendation: "Set `session.enforceLoginIpRangesEveryRequest: true`.",
    affects: "Users on profiles with login IP ranges.",
    subjectKinds: ["Org"],
  },
  check(policy) {
    const org = policy.org;
    if (org.enforceLoginIpRangesEveryRequest) return { examined: 1, findings: [] };
    return {
      examined: 1,
      findings: [
        {
          subject: { kind: "Org", name: org.name },
          message: `org \`${org.name}\` checks login IP ranges only at login, not on every request`,
          locations: [
            locateFirst(
              org.doc,
              ["/session/enforceLoginIpRangesEveryRequest", "/session", "/name"],
              "`enforceLoginIpRangesEveryRequest` is off",
            ),
          ],
          affected: [...policy.profiles.values()]
            .filter((p) => p.loginIpRanges.length > 0)
            .map((p) => `profile \`${p.name}\``),
        },
      ],
    };
  },
};
