import type { FindingCheck } from "../finding.js";
import { locateFirst } from "../facts.js";

/** GR011: sessions are not locked to the address they started from. */
export const sessionsNotLockedToIp: FindingCheck = {
  spec: {
    id: "GR011",
    slug: "sessions-not-locked-to-ip",
    title: "Sessions are not locked to their IP address",
    severity: "info",
    cvss: { min: 0.0, max: 0.0 },
    basis:
      "Salesforce Health Check baseline: Lock sessions to the IP address from which they originated (Informational)",
    checks:
      "Reported when the org does not lock sessions to the address they were created from (`session.lockSessionsToIp`).",
    threatScenarios: ["A hijacked session cookie or token is used from another address."],
    securityImpact: "A session works from any address once established, which eases session hijacking.",
    businessImpact:
      "Locking sessions can disturb users on networks whose egress address changes (mobile, some proxies).",
    recommendation: "Set `session.lockSessionsToIp: true` where users' egress addresses are stable.",
    affects: "Every user with a session.",
    subjectKinds: ["Org"],
  },
  check(policy) {
    const org = policy.org;
    if (org.lockSessionsToIp) return { examined: 1, findings: [] };
    return {
      examined: 1,
      findings: [
        {
          subject: { kind: "Org", name: org.name },
          message: `org \`${org.name}\` does not lock sessions to the address they started from`,
          locations: [
            locateFirst(org.doc, ["/session/lockSessionsToIp", "/session", "/name"], "`lockSessionsToIp` is off"),
          ],
          affected: ["every user"],
        },
      ],
    };
  },
};
