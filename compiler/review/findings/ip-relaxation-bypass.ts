import type { ConnectedAppModel, PolicySet } from "../../validate/model.js";
import type { FindingCheck, FindingDraft } from "../finding.js";
import { locate } from "../facts.js";

/** The profiles with login IP ranges whose users can use the app, i.e. whose ranges the app relaxes. */
export function relaxedProfiles(policy: PolicySet, app: ConnectedAppModel): string[] {
  const profiles = app.adminApproved ? app.profiles : [...policy.profiles.keys()];
  return profiles.filter((p) => (policy.profiles.get(p)?.loginIpRanges.length ?? 0) > 0);
}

/** Who a relaxing app exposes: the profiles whose ranges it relaxes, and the permission sets assigned to it. */
export function relaxationAffected(policy: PolicySet, app: ConnectedAppModel): string[] {
  return [
    ...relaxedProfiles(policy, app).map((p) => `profile \`${p}\``),
    ...(app.adminApproved ? app.permissionSets.map((s) => `permission set \`${s}\``) : []),
  ];
}

/** GR004: connected apps that relax login IP ranges with `BYPASS` or `BYPASS_2FACTOR`. */
export const ipRelaxationBypass: FindingCheck = {
  spec: {
    id: "GR004",
    slug: "ip-relaxation-bypass",
    title: "Connected app relaxes login IP ranges",
    severity: "high",
    cvss: { min: 6.0, max: 8.5 },
    basis:
      "Security Health Review: Manage OAuth Access Policies for a Connected App – IP Relaxation (Medium–High, CVSS 6.0–8.5)",
    checks:
      "Every connected app that is not blocked must keep `ipRelaxation` at `ENFORCE` (or `ENFORCE_RELAXREFRESH`, see GR005); `BYPASS` and `BYPASS_2FACTOR` are reported.",
    threatScenarios: [
      "A stolen access or refresh token is replayed from outside the company's networks.",
      "Long-lived tokens issued to a compromised device keep working after the device leaves the network.",
    ],
    securityImpact:
      "`BYPASS` switches the profile login IP ranges off for everything the app does; `BYPASS_2FACTOR` does so for the web-server flow from the app's trusted ranges or after identity verification.",
    businessImpact:
      "The network boundary the security team relies on does not hold for this app's users, so a token leak is not contained by location.",
    recommendation:
      "Set `ipRelaxation: ENFORCE`. Where the app must work off-network, prefer certificate-bound clients, short-lived rotating refresh tokens and a high-assurance session policy, and acknowledge the finding with the reason.",
    affects: "Users on profiles with login IP ranges who can use the app.",
    subjectKinds: ["ConnectedApp"],
  },
  check(policy) {
    const findings: FindingDraft[] = [];
    let examined = 0;
    for (const app of policy.apps.values()) {
      if (app.blocked) continue;
      examined++;
      if (app.ipRelaxation !== "BYPASS" && app.ipRelaxation !== "BYPASS_2FACTOR") continue;
      const how =
        app.ipRelaxation === "BYPASS"
          ? "for every request"
          : app.trustedIpRanges.length > 0
            ? "for the web-server flow from its trusted IP ranges"
            : "for the web-server flow after identity verification";
      findings.push({
        subject: { kind: "ConnectedApp", name: app.name },
        message: `connected app \`${app.name}\` relaxes login IP ranges with \`${app.ipRelaxation}\` ${how}`,
        locations: [locate(app.doc, "/ipRelaxation", `\`${app.ipRelaxation}\``)],
        affected: relaxationAffected(policy, app),
      });
    }
    return { examined, findings };
  },
};
