import { diagnosticAtPointer } from "../locate.js";
import type { Rule } from "./rule.js";

/** Connected-app settings that Salesforce ignores or that cannot work as written. */
export const appSettings: Rule = {
  name: "app-settings",
  check(policy, report) {
    for (const app of policy.apps.values()) {
      const decl = app.doc.value as {
        profiles?: unknown[];
        permissionSets?: unknown[];
        sites?: unknown[];
        clientIds?: unknown[];
      };
      const assigned = (decl.profiles?.length ?? 0) + (decl.permissionSets?.length ?? 0) > 0;
      if (app.adminApproved && !assigned) {
        report(
          diagnosticAtPointer(
            app.doc,
            "/permittedUsers",
            "GH303",
            `admin-approved connected app \`${app.name}\` has no profile or permission set assigned`,
            {
              hint: "only users with `UseAnyApiClient` can use it; assign `profiles` or `permissionSets`",
            },
          ),
        );
      }
      if (!app.adminApproved && assigned) {
        const pointer = (decl.profiles?.length ?? 0) > 0 ? "/profiles" : "/permissionSets";
        report(
          diagnosticAtPointer(
            app.doc,
            pointer,
            "GH304",
            `connected app \`${app.name}\` assigns ${pointer.slice(1) === "profiles" ? "profiles" : "permission sets"} but lets all users self-authorize, so Salesforce ignores the assignment`,
            {
              anchor: "key",
              hint: "set `permittedUsers: adminApproved`, or remove the assignment",
            },
          ),
        );
      }
      if (app.ipRelaxation !== "BYPASS_2FACTOR" && app.trustedIpRanges.length > 0) {
        report(
          diagnosticAtPointer(
            app.doc,
            "/trustedIpRanges",
            "GH305",
            `connected app \`${app.name}\` has trusted IP ranges, but only \`BYPASS_2FACTOR\` relaxation uses them (it is \`${app.ipRelaxation}\`)`,
            {
              anchor: "key",
              hint: "set `ipRelaxation: BYPASS_2FACTOR`, or remove `trustedIpRanges`",
            },
          ),
        );
      }
      if ((decl.clientIds?.length ?? 0) === 0) {
        report(
          diagnosticAtPointer(
            app.doc,
            decl.clientIds === undefined ? "/name" : "/clientIds",
            "GH306",
            `connected app \`${app.name}\` has no client ids, so no request can name it`,
            {
              anchor: "key",
              hint: "add the app's consumer key to `clientIds`",
            },
          ),
        );
      }
      if (decl.sites !== undefined && decl.sites.length === 0) {
        report(
          diagnosticAtPointer(
            app.doc,
            "/sites",
            "GH219",
            `connected app \`${app.name}\` lists no sites; omit \`sites\` to mean any site`,
            { anchor: "key" },
          ),
        );
      }
      if (app.runAsUser !== undefined && !policy.users.has(app.runAsUser)) {
        report(
          diagnosticAtPointer(
            app.doc,
            "/runAsUser",
            "GH307",
            `run-as user \`${app.runAsUser}\` of connected app \`${app.name}\` is not a declared user, so it cannot be reviewed`,
            {
              hint: "declare it with `kind: User`, or correct the name",
            },
          ),
        );
      }
    }
  },
};
