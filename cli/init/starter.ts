/**
 * The starter policy set `gatehouse init` writes: one declaration of each kind a new policy
 * repository needs first, valid as written (`check`, `test` and `build` pass on it), with
 * comments that say what to change.
 */

const ORG = `# The org-wide settings. A policy set has exactly one Org.
kind: Org
name: my-org
label: My Org
apiAccessControl:
  # Only admin-approved connected apps may call the API.
  allowlistedAppsOnly: true
session:
  enforceLoginIpRangesEveryRequest: true
trustedIpRanges:
  - network: office
`;

const NETWORKS = `# Named address ranges; name them wherever ranges are accepted.
kind: Network
name: office
description: Egress of the office (replace with your own ranges).
ranges:
  - cidr: 203.0.113.0/24
---
kind: Network
name: datacenter
description: Where the integration servers run.
ranges:
  - start: 198.51.100.10
    end: 198.51.100.40
`;

const PROFILES = `kind: Profile
name: Integration
label: API Only Integrations
permissions: [ApiEnabled, ApiUserOnly]
loginIpRanges:
  - network: datacenter
`;

const APPS = `kind: ConnectedApp
name: erp-sync
label: ERP Sync
clientIds: [3MVG9exampleErpSync]
permittedUsers: adminApproved
profiles: [Integration]
ipRelaxation: ENFORCE
`;

const TESTS = `# \`gatehouse test policies\` runs these cases against the compiled policy.
kind: Test
name: integrations
description: The integration user calls the API through erp-sync, from the data centre only.
cases:
  - name: JWT bearer from the data centre is allowed
    request:
      user: { userType: Standard, profile: Integration }
      app: { clientId: 3MVG9exampleErpSync }
      channel: api
      grant: jwt_bearer
      sourceIp: 198.51.100.20
      login: true
    expect: { allow: true }
  - name: JWT bearer from elsewhere is refused
    request:
      user: { userType: Standard, profile: Integration }
      app: { clientId: 3MVG9exampleErpSync }
      channel: api
      grant: jwt_bearer
      sourceIp: 192.0.2.99
      login: true
    expect: { allow: false, reasons: [IP_OUTSIDE_LOGIN_RANGES] }
  - name: an app that is not declared is refused
    request:
      user: { userType: Standard, profile: Integration }
      app: { clientId: someOtherClient }
      channel: api
      grant: jwt_bearer
      sourceIp: 198.51.100.20
      login: true
    expect: { allow: false, reasons: [AAC_APP_NOT_ALLOWLISTED, APP_UNKNOWN] }
`;

/** The starter policy files, by path relative to the policy folder. */
export const STARTER_POLICY: ReadonlyArray<readonly [path: string, text: string]> = [
  ["org.yaml", ORG],
  ["networks.yaml", NETWORKS],
  ["profiles.yaml", PROFILES],
  ["apps.yaml", APPS],
  ["tests.yaml", TESTS],
];
