import { describe, expect, it } from "vitest";
import { compileText } from "../helpers/compile-text.js";

const ORG = "kind: Org\nname: acme\n";

/** `file:line:col CODE message` of every diagnostic for `profiles.yaml`. */
function report(profiles: string): string[] {
  return compileText({ "org.yaml": ORG, "profiles.yaml": profiles }).diagnostics.map(
    (d) => `${d.line}:${d.column} ${d.code} ${d.message}`,
  );
}

describe("every explicit tag is reported, with its position and its text as written", () => {
  it("tags on keys, on block collections on the next line, after anchors, in flow lists, verbatim", () => {
    const text = [
      "kind: Profile",
      "name: P",
      "userLicense: !!str &lic Salesforce",
      "? !!str permissions",
      ": [!custom ApiEnabled, !!binary aGk=, &x !!int '5']",
      "label: !!set",
      "  ? a",
      "description: !<tag:yaml.org,2002:str> x",
      "",
    ].join("\n");
    expect(report(text)).toEqual([
      "3:14 GH003 explicit tag `!!str` is not allowed",
      "4:3 GH003 explicit tag `!!str` is not allowed",
      "5:4 GH003 explicit tag `!custom` is not allowed",
      "5:24 GH003 explicit tag `!!binary` is not allowed",
      "5:42 GH003 explicit tag `!!int` is not allowed",
      "6:8 GH003 explicit tag `!!set` is not allowed",
      "8:14 GH003 explicit tag `!<tag:yaml.org,2002:str>` is not allowed",
    ]);
  });
});

describe("messages quote numbers as written in the source", () => {
  it.each([
    ["9007199254740993", "the number `9007199254740993`"],
    ["1e400", "the number `1e400`"],
    ["0x10", "the number `0x10`"],
    ["1.50", "the number `1.50`"],
    ["true", "the boolean `true`"],
  ])("%s", (written, quoted) => {
    const text = `kind: Profile\nname: P\nuserLicense: ${written}\npermissions: [ApiEnabled]\n`;
    expect(report(text)).toEqual([`3:14 GH103 \`userLicense\` must be a string, not ${quoted}`]);
  });
});
