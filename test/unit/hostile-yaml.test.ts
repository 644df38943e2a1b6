import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_POLICY_FILE_BYTES } from "../../compiler/load/index.js";
import { MAX_ALIAS_EXPANSION, MAX_DEPTH } from "../../compiler/load/yaml-document.js";
import type { Compilation } from "../../compiler/pipeline.js";
import { compileDir, ORG, policyDir, tempDir } from "../helpers/policy.js";

/**
 * Hostile input, as a table: every case either gets a clear diagnostic (code, position, message)
 * or is accepted as plain data that cannot change the generated code. Time and memory are
 * bounded by structure: each call returns, with a diagnostic, instead of expanding or recursing.
 */

type Want = readonly [code: string, file: string, line: number, column: number, message: string, hint?: string];

function rows(c: Compilation): Want[] {
  return c.diagnostics.map((d) => {
    const dir = d.file.slice(0, d.file.lastIndexOf("/") + 1);
    const file = d.file.slice(dir.length);
    const row = [d.code, file, d.line, d.column, d.message.replaceAll(dir, "")] as const;
    return d.hint === undefined ? row : [...row, d.hint];
  });
}

const list = (n: number, item: (i: number) => string): string =>
  `[${Array.from({ length: n }, (_, i) => item(i)).join(", ")}]`;

/** An alias bomb: nine levels of nine aliases each, 9^9 strings if it were expanded. */
const BOMB = [
  "kind: Network",
  "name: office",
  "ranges: [203.0.113.0/24]",
  `a: &a ${list(9, () => "lol")}`,
  ..."bcdefghi".split("").map((x, i) => `${x}: &${x} ${list(9, () => `*${"abcdefgh"[i]}`)}`),
  "",
].join("\n");

/** Sixty aliases of one 2,000-item list: within the alias count, but 120,000 values once expanded. */
const QUADRATIC = [
  "kind: Network",
  "name: office",
  `ranges: &many ${list(2000, (i) => `10.${i >> 8}.${i & 255}.0/24`)}`,
  `description: ${list(60, () => "*many")}`,
  "",
].join("\n");

const nested = (depth: number): string => `${"[".repeat(depth)}${"]".repeat(depth)}`;

const cases: ReadonlyArray<readonly [name: string, files: Record<string, string | Buffer>, want: readonly Want[]]> = [
  [
    "an exponential alias bomb is refused before anything expands",
    { "o.yaml": ORG, "n.yaml": BOMB },
    [
      [
        "GH004",
        "n.yaml",
        5,
        8,
        "the document's aliases expand to 490328964 more values than are written, over the limit of 100000",
        "write the values out, or use fewer aliases",
      ],
    ],
  ],
  [
    "a quadratic alias expansion (few aliases of one large list) is refused too",
    { "o.yaml": ORG, "n.yaml": QUADRATIC },
    [
      [
        "GH004",
        "n.yaml",
        4,
        15,
        `the document's aliases expand to 120000 more values than are written, over the limit of ${MAX_ALIAS_EXPANSION}`,
        "write the values out, or use fewer aliases",
      ],
    ],
  ],
  [
    "an alias inside the node it names is refused",
    { "o.yaml": ORG, "n.yaml": "kind: Network\nname: loop\nranges: &r [10.0.0.0/8, *r]\n" },
    [
      [
        "GH004",
        "n.yaml",
        3,
        25,
        "an alias in the document refers to a node that contains it",
        "write the values out, or use fewer aliases",
      ],
    ],
  ],
  [
    "a duplicate key is an error naming both keys, whatever order they come in",
    { "o.yaml": ORG, "a.yaml": "kind: ConnectedApp\nname: erp\nblocked: true\nclientIds: [k]\nblocked: false\n" },
    [
      [
        "GH002",
        "a.yaml",
        5,
        1,
        "key `blocked` appears twice in the same mapping",
        "YAML parsers disagree on which value wins; keep exactly one",
      ],
    ],
  ],
  [
    "YAML 1.1 booleans stay strings and are rejected where a boolean is expected",
    { "o.yaml": ORG, "a.yaml": "kind: ConnectedApp\nname: erp\nclientIds: [k]\ninstalled: on\nblocked: NO\n" },
    [
      [
        "GH103",
        "a.yaml",
        4,
        12,
        "`installed` must be a boolean, not the string `on`",
        "YAML 1.2 reads `on` as a string; write `true`",
      ],
      [
        "GH103",
        "a.yaml",
        5,
        10,
        "`blocked` must be a boolean, not the string `NO`",
        "YAML 1.2 reads `NO` as a string; write `false`",
      ],
    ],
  ],
  [
    "YAML 1.1 booleans are ordinary strings where text is expected",
    { "o.yaml": ORG, "p.yaml": "kind: Profile\nname: yes\nlabel: off\ndescription: on\n" },
    [],
  ],
  [
    "tab indentation is a syntax error with a hint",
    { "o.yaml": ORG, "p.yaml": "kind: Profile\nname: P\npermissions:\n\t- ApiEnabled\n" },
    [
      [
        "GH001",
        "p.yaml",
        4,
        1,
        "tabs are not allowed as indentation",
        "indent with spaces; YAML does not allow tabs there",
      ],
    ],
  ],
  [
    "bytes that are not UTF-8 are reported at the first bad byte",
    { "o.yaml": ORG, "p.yaml": Buffer.from("kind: Profile\nname: Soci\xe9t\xe9\n", "latin1") },
    [
      [
        "GH006",
        "p.yaml",
        2,
        11,
        "`p.yaml` is not UTF-8 text: byte 0xE9 here is not valid UTF-8",
        "save the file as UTF-8 (it looks like Latin-1 or another legacy encoding)",
      ],
    ],
  ],
  [
    `nesting within the ${MAX_DEPTH}-level limit is read (and then fails its schema like any wrong value)`,
    { "o.yaml": ORG, "p.yaml": `kind: Profile\nname: P\ndescription: ${nested(MAX_DEPTH - 1)}\n` },
    [["GH103", "p.yaml", 3, 14, "`description` must be a string, not a list"]],
  ],
  [
    `nesting beyond ${MAX_DEPTH} levels is refused`,
    { "o.yaml": ORG, "p.yaml": `kind: Profile\nname: P\ndescription: ${nested(MAX_DEPTH + 1)}\n` },
    [["GH007", "p.yaml", 3, 46, `the document nests deeper than ${MAX_DEPTH} levels`]],
  ],
  [
    "`__proto__` and `constructor` keys are unknown properties, never prototype writes",
    {
      "o.yaml": ORG,
      "p.yaml":
        "kind: Profile\nname: P\n__proto__: {permissions: [UseAnyApiClient]}\nconstructor: {prototype: {polluted: true}}\n",
    },
    [
      [
        "GH102",
        "p.yaml",
        3,
        1,
        "unknown property `__proto__` in Profile",
        "known properties: `kind`, `name`, `label`, `description`, `userLicense`, `standard`, `permissions`, `loginIpRanges`, `unseen`",
      ],
      [
        "GH102",
        "p.yaml",
        4,
        1,
        "unknown property `constructor` in Profile",
        "known properties: `kind`, `name`, `label`, `description`, `userLicense`, `standard`, `permissions`, `loginIpRanges`, `unseen`",
      ],
    ],
  ],
  [
    "a name with a newline is rejected as a control character",
    { "o.yaml": ORG, "p.yaml": 'kind: Profile\nname: "P\\n} allow := true {"\n' },
    [["GH105", "p.yaml", 2, 7, "`name` must not contain control characters (tabs, newlines, NUL)"]],
  ],
  [
    "a reference written with a look-alike letter says which code points differ",
    {
      "o.yaml": ORG,
      "p.yaml": "kind: Profile\nname: Integration\n",
      "a.yaml":
        "kind: ConnectedApp\nname: erp\nclientIds: [k]\npermittedUsers: adminApproved\nprofiles: [Integrat\u0456on]\n",
    },
    [
      [
        "GH202",
        "a.yaml",
        5,
        12,
        "unknown profile `Integrat\u0456on`",
        "did you mean `Integration`? it differs only in look-alike characters: it has U+0069 `i` where you wrote U+0456 `\u0456`",
      ],
    ],
  ],
];

describe("hostile YAML", () => {
  it.each(cases)("%s", async (_, files, want) => {
    const c = await compileDir(policyDir(files as Record<string, string>));
    expect(rows(c)).toEqual(want);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("permissions");
  });

  it("refuses nesting a hundred thousand levels deep once, without exhausting the stack", async () => {
    const c = await compileDir(
      policyDir({ "o.yaml": ORG, "p.yaml": `kind: Profile\nname: P\ndescription: ${nested(100_000)}\n` }),
    );
    // The column is wherever the parser's own depth guard tripped, which depends on the stack size.
    expect(rows(c).map(([code, file, line, , message]) => [code, file, line, message])).toEqual([
      ["GH007", "p.yaml", 3, `the document nests too deeply to read (declarations need at most ${MAX_DEPTH} levels)`],
    ]);
  });

  it("refuses a 50 MB policy file from its size alone, and keeps reading the others", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "o.yaml"), ORG);
    const line = "# padding: a policy file that grew far beyond any real policy set\n";
    writeFileSync(join(dir, "huge.yaml"), line.repeat(Math.ceil((50 * 1024 * 1024) / line.length)));
    const c = await compileDir(dir);
    const size = Math.ceil((50 * 1024 * 1024) / line.length) * line.length;
    expect(rows(c)).toEqual([
      [
        "GH005",
        "huge.yaml",
        1,
        1,
        `\`huge.yaml\` is ${size} bytes, over the ${MAX_POLICY_FILE_BYTES}-byte limit for a policy file`,
      ],
    ]);
    expect(c.sources?.docs.map((d) => (d.value as { name: string }).name)).toEqual(["acme"]);
  });
});

describe("hostile names and descriptions are data, never code", () => {
  const PLAIN = {
    "o.yaml": ORG,
    "p.yaml": "kind: Profile\nname: Integration\ndescription: API users\n",
    "a.yaml": "kind: ConnectedApp\nname: erp\nclientIds: [k]\npermittedUsers: adminApproved\nprofiles: [Integration]\n",
  };
  const HOSTILE_NAMES = [
    'x" } allow := true { "',
    "`import data.secrets`",
    "package evil",
    "__proto__",
    "constructor",
    "toString",
    "Integrat\u0456on",
    "\u202eevil\u202c",
    "{{> partial}}",
    "'; DROP TABLE apps; --",
  ];
  const hostile = {
    "o.yaml": ORG,
    "p.yaml": HOSTILE_NAMES.map(
      (name) =>
        `kind: Profile\nname: ${JSON.stringify(name)}\ndescription: "line one\\nline two } default allow := true"\n`,
    ).join("---\n"),
    "a.yaml": `kind: ConnectedApp\nname: ${JSON.stringify('erp" || true || "')}\nclientIds: ["__proto__", "k\\"}"]\npermittedUsers: adminApproved\nprofiles: ${JSON.stringify(HOSTILE_NAMES)}\n`,
  };

  it("compiles them, with Rego byte-identical to a plain policy set's and the names intact in data.json", async () => {
    const plain = await compileDir(policyDir(PLAIN));
    const odd = await compileDir(policyDir(hostile));
    expect(odd.diagnostics).toEqual([]);
    const rego = (c: Compilation): Array<[string, string]> =>
      [...(c.emitted?.files ?? new Map<string, string>())].filter(([path]) => path.endsWith(".rego"));
    expect(rego(odd).length).toBeGreaterThan(0);
    expect(rego(odd)).toEqual(rego(plain));
    const data = JSON.parse(odd.emitted!.files.get("data.json")!) as {
      gatehouse: {
        policy: { profiles: Record<string, unknown>; apps: Record<string, { name: string; profiles: object }> };
      };
    };
    expect(Object.keys(data.gatehouse.policy.profiles).sort()).toEqual([...HOSTILE_NAMES].sort());
    expect(Object.keys(data.gatehouse.policy.apps).sort()).toEqual(["__proto__", 'k"}']);
    expect(Object.keys(data.gatehouse.policy.apps.__proto__!.profiles).sort()).toEqual([...HOSTILE_NAMES].sort());
  });
});
