import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { didYouMean, editDistance, SECURITY_ENUMS, suggest } from "../../compiler/diagnostics/suggest.js";
import { packageRoot } from "../../core/package-root.js";

const IP_RELAXATION = ["ENFORCE", "ENFORCE_RELAXREFRESH", "BYPASS_2FACTOR", "BYPASS"];
const PERMITTED_USERS = ["selfAuthorize", "adminApproved"];
const ACTION = ["block", "stepUp"];

describe("did-you-mean", () => {
  // [typed, candidates, the hint]
  const table: Array<[string, string[], string | undefined]> = [
    ["BYPASS_2FACTR", IP_RELAXATION, "did you mean `BYPASS_2FACTOR`?"],
    ["BYPASS_2FACOR", IP_RELAXATION, "did you mean `BYPASS_2FACTOR`?"],
    ["bypass_2factor", IP_RELAXATION, "did you mean `BYPASS_2FACTOR`?"],
    ["BYPAS", IP_RELAXATION, "did you mean `BYPASS`?"],
    ["ENFORCE_RELAXREFRES", IP_RELAXATION, "did you mean `ENFORCE_RELAXREFRESH`?"],
    ["ENFORCED", IP_RELAXATION, "did you mean `ENFORCE`?"],
    ["ENFORCE_RELAX", IP_RELAXATION, "did you mean `ENFORCE`?"],
    [
      "BYPASS_2FA",
      IP_RELAXATION,
      "did you mean `BYPASS_2FACTOR`? (`BYPASS` is equally close; `BYPASS_2FACTOR` is the least permissive of them)",
    ],
    ["adminAproved", PERMITTED_USERS, "did you mean `adminApproved`?"],
    ["selfAuthorise", PERMITTED_USERS, "did you mean `selfAuthorize`?"],
    ["stepup", ACTION, "did you mean `stepUp`?"],
    ["blok", ACTION, "did you mean `block`?"],
    ["allow", ACTION, undefined],
    ["ConnectedApplication", ["Org", "ConnectedApp", "Profile"], "did you mean `ConnectedApp`?"],
    ["clientID", ["clientIds", "name", "kind"], "did you mean `clientIds`?"],
    ["ERP_AP", ["ERP_API", "ERP_APX"], "did you mean `ERP_API`? (`ERP_APX` is equally close)"],
    ["zzzz", ["ERP_API"], undefined],
  ];
  for (const [typed, candidates, hint] of table) {
    it(`${typed} → ${hint ?? "nothing"}`, () => {
      expect(didYouMean(typed, candidates)).toBe(hint);
    });
  }

  it("ranks by edit distance before a shared prefix", () => {
    // `BYPASS` is a prefix of the typo, but `BYPASS_2FACTOR` is one edit away.
    expect(editDistance("BYPASS_2FACTR", "BYPASS")).toBe(7);
    expect(suggest("BYPASS_2FACTR", IP_RELAXATION)).toEqual({ match: "BYPASS_2FACTOR", equallyClose: [] });
  });

  it("never suggests a more permissive value than one equally close, whatever the candidates' order", () => {
    for (const order of [IP_RELAXATION, [...IP_RELAXATION].reverse()]) {
      expect(suggest("BYPASS_2FA", order)?.match).toBe("BYPASS_2FACTOR");
      // `ENFORCE_RELAXRFRESH` is one edit from ENFORCE_RELAXREFRESH only.
      expect(suggest("ENFORCE_RELAXRFRESH", order)?.match).toBe("ENFORCE_RELAXREFRESH");
    }
  });

  it("lists each security-relevant enum exactly as its schema does", () => {
    const schema = JSON.parse(readFileSync(join(packageRoot(), "schemas", "connected-app.schema.json"), "utf8")) as {
      properties: {
        ipRelaxation: { enum: string[] };
        permittedUsers: { enum: string[] };
        sessionPolicy: { properties: { highAssurance: { properties: { action: { enum: string[] } } } } };
      };
    };
    const p = schema.properties;
    expect([...SECURITY_ENUMS.ipRelaxation!].sort()).toEqual([...p.ipRelaxation.enum].sort());
    expect([...SECURITY_ENUMS.permittedUsers!].sort()).toEqual([...p.permittedUsers.enum].sort());
    expect([...SECURITY_ENUMS.highAssuranceAction!].sort()).toEqual(
      [...p.sessionPolicy.properties.highAssurance.properties.action.enum].sort(),
    );
  });
});
