import { ACKNOWLEDGEMENT_EXPIRED, ACKNOWLEDGEMENT_UNMATCHED } from "./acknowledgements.js";
import type { FindingCheck, FindingSpec } from "./finding.js";
import { apiAccessControlOff } from "./findings/api-access-control-off.js";
import { customersAndPartnersControlOff } from "./findings/customers-and-partners-control-off.js";
import { integrationUserNotApiOnly } from "./findings/integration-user-not-api-only.js";
import { ipRelaxationBypass } from "./findings/ip-relaxation-bypass.js";
import { ipRelaxationRelaxRefresh } from "./findings/ip-relaxation-relax-refresh.js";
import { loginIpRangesNotEnforcedEveryRequest } from "./findings/login-ip-ranges-not-enforced-every-request.js";
import { profileWithoutLoginIpRanges } from "./findings/profile-without-login-ip-ranges.js";
import { runAsUserNotApiOnly } from "./findings/run-as-user-not-api-only.js";
import { selfAuthorizeAppUnderAllowlist } from "./findings/self-authorize-app-under-allowlist.js";
import { sessionsNotLockedToIp } from "./findings/sessions-not-locked-to-ip.js";
import { useAnyApiClientGranted } from "./findings/use-any-api-client-granted.js";

/** Every configuration check, in id order. */
export const FINDING_CHECKS: readonly FindingCheck[] = [
  integrationUserNotApiOnly,
  runAsUserNotApiOnly,
  profileWithoutLoginIpRanges,
  ipRelaxationBypass,
  ipRelaxationRelaxRefresh,
  apiAccessControlOff,
  customersAndPartnersControlOff,
  useAnyApiClientGranted,
  selfAuthorizeAppUnderAllowlist,
  loginIpRangesNotEnforcedEveryRequest,
  sessionsNotLockedToIp,
];

/** Every finding Gatehouse reports, in id order: the configuration checks and the acknowledgement ones. */
export const FINDING_SPECS: readonly FindingSpec[] = [
  ...FINDING_CHECKS.map((c) => c.spec),
  ACKNOWLEDGEMENT_EXPIRED,
  ACKNOWLEDGEMENT_UNMATCHED,
];

/** The spec of a finding id. */
export function findingSpec(id: string): FindingSpec | undefined {
  return FINDING_SPECS.find((s) => s.id === id);
}
