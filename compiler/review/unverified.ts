/**
 * Findings that rest on facts an importer did not see (docs/semantics.md §1, Known and unknown):
 * which unseen facts each finding depends on, and what to retrieve to confirm it. Such a finding
 * is reported as unverified, never at its own severity, and is kept out of the score.
 */
import type { PolicySet, UserModel } from "../validate/model.js";
import type { Finding } from "./finding.js";

/** An unseen fact a finding rests on, and what to retrieve to see it. */
export interface UnseenBasis {
  readonly kind: string;
  readonly name: string;
  readonly fact: string;
  readonly retrieve: string;
}

/** The facts each finding id depends on: org-wide ones, or those of the profiles and groups it involves. */
const ORG_FACTS: Readonly<Record<string, readonly string[]>> = {
  GR006: ["apiAccessControl"],
  GR007: ["apiAccessControl"],
  GR010: ["session"],
  GR011: ["session"],
};
const PERMISSION_FINDINGS = new Set(["GR001", "GR002", "GR003", "GR008"]);

function retrieveFor(kind: string, name: string, fact: string): string {
  if (fact === "apiAccessControl")
    return "retrieve `ConnectedAppSettings:ConnectedApp` (settings/ConnectedApp.settings)";
  if (fact === "session" || fact === "trustedIpRanges")
    return "retrieve `SecuritySettings:Security` (settings/Security.settings)";
  if (kind === "Profile")
    return `retrieve \`Profile:${name}\` together with the metadata its user permissions belong to`;
  if (fact === "permissionSets") return `retrieve the member permission sets of \`PermissionSetGroup:${name}\``;
  return `retrieve the muting permission set of \`PermissionSetGroup:${name}\``;
}

/** The users a finding involves: its subject, or the run-as user of a connected-app subject. */
function usersOf(policy: PolicySet, finding: Pick<Finding, "id" | "subject">): UserModel[] {
  const { kind, name } = finding.subject;
  if (kind === "User") return [policy.users.get(name)].filter((u): u is UserModel => u !== undefined);
  if (kind === "ConnectedApp" && finding.id === "GR002") {
    const runAs = policy.apps.get(name)?.runAsUser;
    const user = runAs === undefined ? undefined : policy.users.get(runAs);
    return user ? [user] : [];
  }
  return [];
}

/** The unseen facts `finding` rests on; empty when it rests only on what was seen. */
export function unseenBasis(policy: PolicySet, finding: Pick<Finding, "id" | "subject">): UnseenBasis[] {
  const out: UnseenBasis[] = [];
  const add = (kind: string, name: string, unseen: readonly string[] | undefined, facts: readonly string[]): void => {
    for (const fact of facts)
      if (unseen?.includes(fact)) out.push({ kind, name, fact, retrieve: retrieveFor(kind, name, fact) });
  };
  const org = policy.org;
  add("Org", org.name, org.unseen, ORG_FACTS[finding.id] ?? []);
  if (!PERMISSION_FINDINGS.has(finding.id)) return out;
  const profiles = new Set<string>();
  const groups = new Set<string>();
  if (finding.subject.kind === "Profile") profiles.add(finding.subject.name);
  if (finding.subject.kind === "PermissionSetGroup") groups.add(finding.subject.name);
  for (const user of usersOf(policy, finding)) {
    profiles.add(user.profile);
    for (const g of user.permissionSetGroups) groups.add(g);
  }
  for (const name of profiles) add("Profile", name, policy.profiles.get(name)?.unseen, ["permissions"]);
  for (const name of groups)
    add("PermissionSetGroup", name, policy.permissionSetGroups.get(name)?.unseen, [
      "permissionSets",
      "mutingPermissions",
    ]);
  return out;
}
