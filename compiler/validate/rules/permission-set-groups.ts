import { diagnosticAtPointer } from "../locate.js";
import type { Rule } from "./rule.js";

/** A permission set group with no member permission sets (unknown members are reported as references). */
export const permissionSetGroups: Rule = {
  name: "permission-set-groups",
  check(policy, report) {
    for (const group of policy.permissionSetGroups.values()) {
      const written = (group.doc.value as { permissionSets?: unknown[] }).permissionSets ?? [];
      if (written.length > 0 || group.unseen?.includes("permissionSets")) continue;
      report(
        diagnosticAtPointer(
          group.doc,
          "/permissionSets",
          "GH220",
          `permission set group \`${group.name}\` has no member permission sets`,
          { anchor: "key", hint: "list its members under `permissionSets`, or remove the group" },
        ),
      );
    }
  },
};
