import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { load } from "../../compiler/load/index.js";
import { policyDir, tempDir } from "../helpers/policy.js";

function codesOf(dir: string): Array<[string, string, number, number]> {
  return load({ dir }).diagnostics.map((d) => [d.code, d.file.slice(dir.length + 1), d.line, d.column]);
}

describe("load", () => {
  it("reads every *.yaml and *.yml file at any depth, sorted by path, with each document of each file", () => {
    const dir = policyDir({
      "z.yaml": "kind: Site\nname: z\n",
      "a/b/c.yml": "kind: Site\nname: c1\n---\nkind: Site\nname: c2\n",
      "a/notes.txt": "not yaml",
      ".hidden/x.yaml": "kind: Site\nname: hidden\n",
      "m.YAML": "kind: Site\nname: m\n",
    });
    const loaded = load({ dir });
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.value?.files.map((f) => f.relPath)).toEqual(["a/b/c.yml", "m.YAML", "z.yaml"]);
    expect(loaded.value?.docs.map((d) => [(d.value as { name: string }).name, d.index])).toEqual([
      ["c1", 0],
      ["c2", 1],
      ["m", 0],
      ["z", 0],
    ]);
  });

  it("records the SHA-256 of every policy file", () => {
    const dir = policyDir({ "a.yaml": "kind: Site\nname: a\n" });
    const want = createHash("sha256").update("kind: Site\nname: a\n").digest("hex");
    expect(load({ dir }).value?.fileHashes.get("a.yaml")).toBe(want);
  });

  it.each([
    ["duplicate key", "kind: Site\nname: a\nname: b\n", ["GH002", 3, 1]],
    ["explicit tag", "kind: Site\nname: !!binary aGVsbG8=\n", ["GH003", 2, 7]],
    ["custom tag", "kind: Site\nname: !foo bar\n", ["GH003", 2, 7]],
    ["merge key", "kind: Site\nname: a\n<<: {label: x}\n", ["GH010", 3, 1]],
    ["unclosed flow sequence, at its `[`", "kind: Site\nname: [unclosed\n", ["GH001", 2, 7]],
    ["tab indentation", "kind: Site\nname:\n\tx: 1\n", ["GH001", 3, 1]],
  ])("reports %s at its position", (_, text, [code, line, column]) => {
    const dir = policyDir({ "p.yaml": text });
    expect(codesOf(dir)[0]).toEqual([code, "p.yaml", line, column]);
  });

  it("stops more than 100 aliases, even of a single value, at the first alias", () => {
    const aliases = Array.from({ length: 150 }, () => "*v").join(", ");
    const dir = policyDir({ "many.yaml": `kind: Site\nname: &v many\nlabel: [${aliases}]\n` });
    const [d] = load({ dir }).diagnostics;
    expect([d?.code, d?.line, d?.column, d?.message]).toEqual([
      "GH004",
      3,
      9,
      "the document expands more than 100 aliases",
    ]);
  });

  it("rejects bytes that are not UTF-8 and keeps reading the other files", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "latin1.yaml"), Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]));
    writeFileSync(join(dir, "ok.yaml"), "kind: Site\nname: ok\n");
    const loaded = load({ dir });
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(["GH006"]);
    expect(loaded.value?.docs).toHaveLength(1);
  });

  it("says so when the directory is missing or holds no policy files", () => {
    const empty = tempDir();
    expect(load({ dir: empty }).diagnostics.map((d) => d.code)).toEqual(["GH008"]);
    const missing = join(empty, "nope");
    expect(load({ dir: missing }).diagnostics[0]).toMatchObject({
      code: "GH009",
      message: `cannot read \`${missing}\`: no such file or directory`,
    });
  });

  it("skips empty documents such as a trailing ---", () => {
    const dir = policyDir({ "p.yaml": "kind: Site\nname: a\n---\n" });
    const loaded = load({ dir });
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.value?.docs).toHaveLength(1);
  });

  it("creates own properties for keys like __proto__ without polluting prototypes", () => {
    const dir = policyDir({ "p.yaml": "kind: Site\nname: a\n__proto__: {polluted: true}\nconstructor: x\n" });
    const doc = load({ dir }).value?.docs[0]?.value as Record<string, unknown>;
    expect(Object.hasOwn(doc, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
