import type { FindingCheck, FindingDraft } from "../finding.js";
import { locate } from "../facts.js";
import { relaxationAffected } from "./ip-relaxation-bypass.js";

/** GR005: connected apps that relax login IP ranges for refresh tokens. */
export const ipRelaxationRelaxRefresh: FindingCheck = {
  spec: {
    id: "GR005",
    slug: "ip-relaxation-relax-refresh",
    title: "Connected app relaxes login IP ranges for refresh tokens",
    severity: "medium",
    cvss: { min: 4.0, max: 6.0 },
    basis:
      "Gatehouse estimate, below the Security Health Review IP Relaxation band (6.0–8.5) because the initial login stays restricted",
    checks: "Every connected app that is not blocked is reported when its `ipRelaxation` is `ENFORCE_RELAXREFRESH`.",
    threatScenarios: [
      "A refresh token taken from a device is redeemed from outside the company's networks for new access tokens.",
    ],
    securityImpact:
      "Logins stay inside the login IP ranges, but refresh-token exchanges skip them, so a stolen refresh token works from anywhere until it expires or is revoked.",
    businessImpact:
      "Token theft is contained only by the refresh token policy; with the default (valid until revoked) the exposure is open-ended.",
    recommendation:
      "Set `ipRelaxation: ENFORCE`, or keep the relaxation with a short refresh token lifetime and rotation, and acknowledge the finding with the reason.",
    affects: "Users on profiles with login IP ranges who can use the app.",
    subjectKinds: ["ConnectedApp"],
  },
  check(policy) {
    const findings: FindingDraft[] = [];
    let examined = 0;
    for (const app of policy.apps.values()) {
      if (app.blocked) continue;
      examined++;
      if (app.ipRelaxation !== "ENFORCE_RELAXREFRESH") continue;
      findings.push({
        subject: { kind: "ConnectedApp", name: app.name },
        message: `connected app \`${app.name}\` skips login IP ranges on refresh-token exchanges (\`ENFORCE_RELAXREFRESH\`)`,
        locations: [locate(app.doc, "/ipRelaxation", "`ENFORCE_RELAXREFRESH`")],
        affected: relaxationAffected(policy, app),
      });
    }
    return { examined, findings };
  },
};
