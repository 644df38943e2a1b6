import { diagnosticAtPointer } from "../locate.js";
import type { Declared, PolicySet } from "../model.js";
import type { Rule } from "./rule.js";

/** What each unseen fact means for decisions, and the property that would hold its value. */
const FACTS: Record<string, { readonly reads: string; readonly pointers: readonly string[] }> = {
  apiAccessControl: { reads: "API access control is read as off", pointers: ["/apiAccessControl"] },
  session: { reads: "the session settings are read as off", pointers: ["/session"] },
  trustedIpRanges: { reads: "the org is read as having no trusted IP ranges", pointers: ["/trustedIpRanges"] },
  permissions: { reads: "it is read as granting no permission", pointers: ["/permissions"] },
  loginIpRanges: { reads: "it is read as having no login IP ranges", pointers: ["/loginIpRanges"] },
  userLicense: { reads: "its licence is unknown", pointers: ["/userLicense"] },
  permissionSets: { reads: "it grants and assigns only through the members listed", pointers: [] },
  mutingPermissions: { reads: "it is read as muting nothing", pointers: ["/mutingPermissions"] },
};

const WORDS: Record<string, string> = {
  Org: "org",
  Profile: "profile",
  PermissionSetGroup: "permission set group",
};

function declarationsWithUnseen(policy: PolicySet): Declared[] {
  return [policy.org, ...policy.profiles.values(), ...policy.permissionSetGroups.values()].filter(
    (d) => (d.unseen?.length ?? 0) > 0,
  );
}

/**
 * Facts an importer did not see (docs/semantics.md §1, Known and unknown): each is a warning,
 * since decisions read it as the default; a fact both declared and listed as unseen is an error.
 */
export const unseenFacts: Rule = {
  name: "unseen-facts",
  check(policy, report) {
    for (const decl of declarationsWithUnseen(policy)) {
      const word = WORDS[decl.source.kind] ?? decl.source.kind;
      (decl.unseen ?? []).forEach((fact, i) => {
        const spec = FACTS[fact];
        // INVARIANT: the schemas admit only the facts listed in FACTS.
        if (!spec) return;
        const declared = spec.pointers.find(
          (p) => (decl.doc.value as Record<string, unknown>)[p.slice(1)] !== undefined,
        );
        if (declared !== undefined) {
          report(
            diagnosticAtPointer(
              decl.doc,
              `/unseen/${i}`,
              "GH221",
              `${word} \`${decl.name}\` declares \`${fact}\` and lists it as unseen`,
              {
                hint: "remove it from `unseen` once its value is known",
              },
            ),
          );
          return;
        }
        report(
          diagnosticAtPointer(
            decl.doc,
            `/unseen/${i}`,
            "GH309",
            `\`${fact}\` of ${word} \`${decl.name}\` was not in the imported source, so ${spec.reads}`,
            {
              hint: "retrieve the missing metadata and import again; `gatehouse review` reports what rests on it as unverified",
            },
          ),
        );
      });
    }
  },
};
