import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateTier, rangesPoint, TIERS } from "../../bench/harness/tiers.js";
import { fastRead } from "../../compiler/load/fast-yaml.js";
import { parsePolicyFile, parseWithYaml } from "../../compiler/load/yaml-document.js";
import { packageRoot } from "../../core/package-root.js";

/**
 * The fast reading (js-yaml for values) against the reference reading (`yaml` alone). For any
 * text, either the fast path declines, or `yaml` accepts the file without a diagnostic and
 * both give the same documents: values (deep, strict: types, -0, NaN, key order), indices,
 * contents offsets (declaration lines) and line starts (every other position). Since a
 * fast-path document's `yaml` nodes are the reference parse itself, that makes every
 * diagnostic and location identical too.
 */
function parity(text: string): "fast" | "yaml" {
  const fast = fastRead(text);
  if (!fast) return "yaml";
  const full = parseWithYaml("f.yaml", "f.yaml", text);
  const shown = JSON.stringify(text);
  expect(full.diagnostics, shown).toEqual([]);
  const got = fast.docs.map((d) => [d.index, d.contentsStart, d.value]);
  const want = full.docs.map((d) => [d.index, d.contentsStart, d.value]);
  if (!isDeepStrictEqual(got, want)) expect(got, shown).toStrictEqual(want);
  expect(fast.lines.lineStarts, shown).toEqual(full.file.lines.lineStarts);
  return "fast";
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe("the fast path agrees with yaml on the repository's own YAML", () => {
  const root = packageRoot();
  const files = [...yamlFiles(join(root, "examples")), ...yamlFiles(join(root, "test", "fixtures"))];

  it("on every example and fixture file, and reads most of them itself", () => {
    const paths = files.map((file) => parity(readFileSync(file, "utf8")));
    expect(files.length).toBeGreaterThan(100);
    // The fixtures include deliberately broken files; the readable majority takes the fast path.
    expect(paths.filter((p) => p === "fast").length).toBeGreaterThan(files.length / 2);
  });

  it("on generated tiers S and M and a range-scaling point, all through the fast path", () => {
    for (const spec of [TIERS.S, TIERS.M, rangesPoint(2000)]) {
      for (const [path, text] of generateTier(spec, undefined).files) {
        if (path.endsWith(".yaml")) expect(parity(text), `${spec.name} ${path}`).toBe("fast");
      }
    }
  });
});

const ORG = "kind: Org\nname: acme\n";

describe("scalars resolve as yaml's YAML 1.2 core schema resolves them", () => {
  const scalars = [
    ...["yes", "no", "on", "off", "Yes", "NO", "y", "n"],
    ...["true", "True", "TRUE", "false", "False", "FALSE", "tRUE"],
    ...["~", "null", "Null", "NULL", "nULL"],
    ...["0777", "0o17", "0o19", "0x1F", "0x1f", "0X1F", "0b101", "1_000", "1:20", "190:20:30"],
    ...["12345678901234567890", "9007199254740993", "-0", "+12", "-12", "0", "00"],
    ...["1e3", "1E-3", "0.1e+2", "1.5e3", ".5", "5.", "3.14", "-.5", "+.5e1", "1e", "e3"],
    ...[".inf", "-.Inf", "+.INF", ".nan", ".NaN", ".NAN", "inf", "nan", ".Nan"],
    ...["2026-01-01", "2026-01-01T10:00:00Z", "10.0.0.0/8", "::1", "2001:db8::/32", "::ffff:10.0.0.1"],
    ...['"1"', "'true'", '"null"', "'0x1F'", '""', "''", '"\\u00e9\\t\\x41\\N"', "'it''s'"],
    ...["a b", "a  b", "a#b", "http://x:80/y", "x\\y", "é", "😀", "-dash", "a-", ".", "a:b"],
  ];
  it.each(scalars)("%s, as a value, as a list item and as a key", (scalar) => {
    expect(parity(`${ORG}---\nkind: Profile\nname: P\ndescription: ${scalar}\n`)).toBe("fast");
    expect(parity(`kind: Profile\nname: P\nlabels:\n  - ${scalar}\n  - [${scalar}, x]\n`)).toBe("fast");
    // As a key some decline (`~`, quoted keys beside an equal one); `parity` asserts either way.
    parity(`kind: Profile\n${scalar}: 1\nname: P\n`);
  });
});

describe("what the loader reports or limits is left to yaml", () => {
  const declined: Array<[string, string]> = [
    ["a duplicate key", "kind: Profile\nname: P\nname: Q\n"],
    ["a duplicate key in a flow mapping", "kind: Profile\nname: P\nx: {a: 1, a: 2}\n"],
    ["the same key as a number and a string", 'kind: Profile\n1: a\n"1": b\n'],
    ["an anchor and an alias", "kind: Profile\nname: &n P\nlabel: *n\n"],
    ["a merge key", "kind: Profile\nbase: &b {name: P}\n<<: *b\n"],
    ["a secondary tag", "kind: Profile\nname: !!str P\n"],
    ["a local tag", "kind: Profile\nname: !custom P\n"],
    ["the non-specific tag", "kind: Profile\nname: ! P\n"],
    ["a verbatim tag", "kind: Profile\nname: !<tag:yaml.org,2002:str> P\n"],
    ["a tag in a flow list", "kind: Profile\nx: [a,!!int 1]\n"],
    ["a %YAML directive", "%YAML 1.1\n---\nkind: Profile\nname: yes\n"],
    ["an explicit key", "kind: Profile\n? name\n: P\n"],
    ["a flow-list key", "kind: Profile\n[a, b]: c\n"],
    ["a null key", "kind: Profile\n~: x\n"],
    ["an empty key", "kind: Profile\n: x\n"],
    ["a tab", "kind: Profile\nname:\tP\n"],
    ["tab indentation", "kind: Profile\npermissions:\n\t- ApiEnabled\n"],
    ["a lone carriage return", "kind: Profile\rname: P\n"],
    ["a byte order mark inside the text", "kind: Profile\n---\n\uFEFFname: P\n"],
    ["a `__proto__` key", "kind: Profile\n__proto__: {polluted: true}\n"],
    ["an empty document", "kind: Profile\nname: P\n---\n"],
    ["an explicit null document", "null\n"],
    ["an empty block scalar document", "  >"],
    ["a long key", `kind: Profile\n${"k".repeat(200)}: v\n`],
    ["deep nesting", `kind: Profile\nx: ${"[".repeat(40)}${"]".repeat(40)}\n`],
    ["a syntax error", "kind: Profile\nname: [P\n"],
    ["an unclosed quote", 'kind: Profile\nname: "P\n'],
    ["a bad escape", 'kind: Profile\nname: "\\q"\n'],
    ["an empty entry of an inner list", "- x:\n    -\n- y\n"],
    ["a list item on the line after its dash", "-\n  - a\n- b\n"],
    ["a document marker run into text", "---a\n"],
    ["a document end run into text", "kind: Profile\n...x\n"],
    ["a mapping on the document start line", "--- a: 1\n"],
    ["an empty entry of an inner list, with CRLF", "- x:\r\n    -\r\n- y\r\n"],
    ["a comment run into a quoted string", "kind: Profile\nname: 'P'#c\n"],
    ["a comment run into a flow list", "kind: Profile\nlabels: [a]#c\n"],
    ["a keeping block scalar", "kind: Profile\ndescription: |+\n   k\n "],
    ["a block scalar with an indentation digit", "kind: Profile\ndescription: >1\n  k\n"],
    ["a null key in a flow mapping", "kind: Profile\nx: {:}\n"],
    ["a null key without a colon", "kind: Profile\nx: {~}\n"],
    ["a list as a key-only entry of a flow mapping", "kind: Profile\nx: {a: 1, [b]}\n"],
    ["a mapping as a key-only entry of a flow mapping", "kind: Profile\nx: { {a: 1} }\n"],
    ["a flow mapping key in a flow list", "kind: Profile\nx: [{a: 1}: b]\n"],
    ["a `}` in a quoted string before a collection entry", "kind: Profile\nx: {a: '}', [b]}\n"],
    ["a `}` in a comment before a collection entry", "kind: Profile\nx: {a: 1, # }\n  [b]}\n"],
    ["a document that is a list", "- kind: Profile\n"],
    ["a document that is a string", "Profile\n"],
  ];
  it.each(declined)("%s", (_, text) => {
    expect(fastRead(text)).toBeUndefined();
    expect(parity(text)).toBe("yaml");
  });

  it("refusals keep their position: a duplicate key read through the public entry point", () => {
    const parsed = parsePolicyFile("p.yaml", "dir/p.yaml", "kind: Profile\nname: P\nname: Q\n");
    expect(parsed.docs).toEqual([]);
    expect(parsed.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(["3:1 GH002"]);
  });
});

describe("a fast-path document's yaml nodes are parsed on first use, once", () => {
  it("gives the nodes, offsets and values of the reference reading", () => {
    const text = `${ORG}---\n# comment\nkind: Profile\nname: P\nlabels: [a, b]\n`;
    const fast = parsePolicyFile("p.yaml", "dir/p.yaml", text);
    const full = parseWithYaml("p.yaml", "dir/p.yaml", text);
    expect(fast.docs.map((d) => d.index)).toEqual([0, 1]);
    const [first, second] = fast.docs;
    expect(second!.doc.contents!.range[0]).toBe(second!.contentsStart);
    expect(second!.doc.toJS()).toStrictEqual(second!.value);
    expect(second!.doc.toString()).toBe(full.docs[1]!.doc.toString());
    // Parsed once: every access gives the same nodes.
    expect(first!.doc).toBe(first!.doc);
    expect(first!.doc.toJS()).toStrictEqual(first!.value);
    expect(fast.file.lines.linePos(second!.contentsStart)).toEqual({ line: 5, col: 1 });
  });
});

/** YAML-ish text from fragments chosen to sit near the two parsers' differences. */
const SAFE_SCALAR = fc.constantFrom(
  ...["a", "b c", "yes", "off", "~", "null", "True", "0777", "0o17", "0x1F", "1e3", ".inf", ".NaN", "-0"],
  ...["12345678901234567890", "1:20", "1_000", "2026-01-01", "10.0.0.0/8", "::1", "a:b", "-x", "x-"],
  ...['"q \\" \\n"', "'s '' q'", '""', "''", '"\\u00e9\\x41"', "x # c", "x#c", "é", "😀"],
  ...["[a, b]", "{a: 1}", "[]", "{}", "[a, [b, {c: d}]]", "{a: [1, 2], b: {}}", "[ a , b , ]"],
  ...["|\n  l1\n  l2", ">-\n  f1\n\n  f2", "|+\n  k\n", "|2\n   x", ">\n  a\n   b\n  c"],
  ...["a\n  continued", "a\n\n  para", '"multi\n  line"', "'multi\n\n  line'", '"esc\\\n  aped"'],
);
const RISKY_SCALAR = fc.oneof(
  fc.constantFrom("@x", "`x", "%x", "- x", "? x", "&a x", "*a", "!t x", "-", "a: b", "[a", "{a: 1", "'x", '"x'),
  fc.string({ maxLength: 6, unit: fc.constantFrom("a", " ", ":", "-", "#", "'", '"', "[", "]", ",", "1", ".", "é") }),
);
const SCALAR = fc.oneof({ weight: 12, arbitrary: SAFE_SCALAR }, { weight: 1, arbitrary: RISKY_SCALAR });
const KEY = fc.constantFrom("kind", "name", "a", "b", "x y", '"q"', "'s'", "1", "true", "a-b", "é", "0x1F");

type Tree = string | { readonly seq: readonly Tree[] } | { readonly map: ReadonlyArray<readonly [string, Tree]> };

/** Block style as people write it: a list item's mapping or list starts on the dash's line. */
function render(value: Tree, indent: number, step: number): string {
  const pad = " ".repeat(indent);
  if (typeof value === "string") return ` ${value.replaceAll("\n", `\n${pad}`)}`;
  if ("seq" in value) {
    if (value.seq.length === 0) return " []";
    return value.seq.map((v) => `\n${pad}-${render(v, indent + 2, step).replace(/^\n +/, " ")}`).join("");
  }
  if (value.map.length === 0) return " {}";
  return value.map.map(([k, v]) => `\n${pad}${k}:${render(v, indent + step, step)}`).join("");
}

const { tree } = fc.letrec<{ tree: Tree }>((t) => ({
  tree: fc.oneof(
    { maxDepth: 3, depthSize: "small" },
    SCALAR,
    fc.array(t("tree"), { maxLength: 3 }).map((seq) => ({ seq })),
    fc.uniqueArray(fc.tuple(KEY, t("tree")), { maxLength: 3, selector: ([k]) => k }).map((map) => ({ map })),
  ),
}));

const DOCUMENT = fc
  .record({
    docs: fc.array(fc.uniqueArray(fc.tuple(KEY, tree), { minLength: 1, maxLength: 4, selector: ([k]) => k }), {
      minLength: 1,
      maxLength: 3,
    }),
    step: fc.integer({ min: 1, max: 4 }),
    crlf: fc.boolean(),
    comments: fc.constantFrom(false, false, true),
    end: fc.constantFrom("", "\n", "\n...\n", "\n# tail\n"),
  })
  .map(({ docs, step, crlf, comments, end }) => {
    const text = docs
      .map((map) => render({ map }, 0, step).slice(1))
      .map((doc) => (comments ? doc.replaceAll("\n", " # c\n") : doc))
      .join("\n---\n");
    const full = `${text}${end}`;
    return crlf ? full.replaceAll("\n", "\r\n") : full;
  });

describe("property: random YAML-ish documents", () => {
  it("the fast path agrees with yaml or declines (structured documents)", () => {
    const paths = { fast: 0, yaml: 0 };
    fc.assert(
      fc.property(DOCUMENT, (text) => {
        paths[parity(text)]++;
      }),
      { seed: 1507, numRuns: 800 },
    );
    // The property must exercise the fast path, not only its refusals.
    expect(paths.fast).toBeGreaterThan(200);
  });

  it("the fast path agrees with yaml or declines (character soup)", () => {
    const unit = fc.constantFrom(
      ...["a", "1", " ", "  ", "\n", "\r\n", ":", ": ", "- ", "-", "#", "'", '"', "[", "]", "{", "}", ","],
      ...["|", ">", "?", "!", "&", "*", "---", "...", "\t", "\\", "%", "@", "~", "é", "."],
    );
    const paths = { fast: 0, yaml: 0 };
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (text) => {
        paths[parity(text)]++;
      }),
      { seed: 2026, numRuns: 3000 },
    );
    expect(paths.fast).toBeGreaterThan(100);
  });
});
