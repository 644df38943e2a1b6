import type * as TsMorph from "ts-morph";
import type { CodeBlockWriter, OptionalKind, PropertySignatureStructure, SourceFile } from "ts-morph";
import { NOTES, REASONS, type ReasonSpec } from "../../core/codes.js";
import { gatehouseVersion } from "../../core/package-root.js";
import type { StageResult } from "../diagnostics/diagnostic.js";
import type { Ir } from "../lower/ir.js";

/** The module the generated file imports the runtime from: the runtime package, which a service installs alone. */
export const RUNTIME_MODULE = "gatehouse-policy-runtime";

/** The generated TypeScript: its file name beside the bundle, and its text. */
export interface GeneratedTypes {
  readonly file: "types.ts";
  readonly text: string;
}

/** Options of `typegen`. */
export interface TypegenOptions {
  /** The revision of the bundle the types describe. */
  readonly revision: string;
  /** Gatehouse's version for the header (defaults to the package's own). */
  readonly version?: string;
  /** Where the generated file imports the runtime from (default `gatehouse-policy-runtime`). */
  readonly runtimeModule?: string;
}

/** The declared names a request or a decision may carry, each list sorted and without repeats. */
function declaredNames(
  ir: Ir,
): Record<"clientIds" | "profiles" | "permissionSets" | "permissionSetGroups" | "sites" | "apps", string[]> {
  const sorted = (values: Iterable<string>): string[] =>
    [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    clientIds: sorted(ir.apps.flatMap((a) => a.clientIds)),
    profiles: sorted(ir.profiles.map((p) => p.name)),
    permissionSets: sorted(ir.permissionSets.map((p) => p.name)),
    permissionSetGroups: sorted(ir.permissionSetGroups.map((g) => g.name)),
    sites: sorted(ir.apps.flatMap((a) => a.sites ?? [])),
    apps: sorted(ir.apps.map((a) => a.name)),
  };
}

/**
 * Generates `types.ts` for a compiled policy set: the request type with the declared client
 * ids, profiles, permission sets and sites offered as string literals (any other string stays
 * assignable: an undeclared one is a legal request that is denied), the decision as a union on
 * `allow` whose reasons tie each code to its control and the kind of declaration it cites, and
 * `typed(authorizer)`, a wrapper whose `decide` is checked at compile time. Every declared name
 * reaches the file as a string literal built by the TypeScript printer, never spliced as text.
 */
export async function typegen(ir: Ir, options: TypegenOptions): Promise<StageResult<GeneratedTypes>> {
  // Loaded on use: the TypeScript compiler inside ts-morph takes a second to load, and only
  // typegen needs it.
  const morph: typeof TsMorph = await import("ts-morph");
  const { ts } = morph;
  const project = new morph.Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: morph.IndentationText.TwoSpaces,
      quoteKind: morph.QuoteKind.Double,
      newLineKind: morph.NewLineKind.LineFeed,
    },
  });
  const file = project.createSourceFile("types.ts");
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const scratch = ts.createSourceFile("scratch.ts", "", ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const f = ts.factory;

  /** A string literal as the printer writes it (escaped, double-quoted, non-ASCII kept). */
  const literal = (value: string): string => {
    const node = f.createStringLiteral(value);
    ts.setEmitFlags(node, ts.EmitFlags.NoAsciiEscaping);
    return printer.printNode(ts.EmitHint.Unspecified, node, scratch);
  };
  /** A union of string literals: `never` for none, one literal inline, more one per line. */
  const literalUnion =
    (values: readonly string[]) =>
    (writer: CodeBlockWriter): void => {
      if (values.length <= 1) writer.write(values.length === 0 ? "never" : literal(values[0]!));
      else for (const v of values) writer.newLine().write(`| ${literal(v)}`);
    };
  const alias = (name: string, docs: string, type: string | ((writer: CodeBlockWriter) => void)): void => {
    file.addTypeAlias({ name, isExported: true, docs: [docs], type });
  };
  const property = (
    name: string,
    type: string | ((writer: CodeBlockWriter) => void),
    docs?: string,
    optional = false,
  ): OptionalKind<PropertySignatureStructure> => ({
    name,
    type,
    isReadonly: true,
    hasQuestionToken: optional,
    ...(docs === undefined ? {} : { docs: [docs] }),
  });

  const names = declaredNames(ir);
  const version = options.version ?? gatehouseVersion();
  file.addImportDeclaration({
    isTypeOnly: true,
    moduleSpecifier: options.runtimeModule ?? RUNTIME_MODULE,
    namedImports: [
      "Authorizer",
      "AuthorizerPool",
      "ReloadingAuthorizer",
      { name: "Decision", alias: "RuntimeDecision" },
      { name: "Request", alias: "RuntimeRequest" },
    ],
  });
  file.addVariableStatement({
    isExported: true,
    declarationKind: morph.VariableDeclarationKind.Const,
    docs: ["The revision of the bundle these types were generated with."],
    declarations: [{ name: "REVISION", initializer: literal(options.revision) }],
  });

  const offered = "the literals help completion and are not enforced";
  const declared: ReadonlyArray<[closed: string, open: string, values: string[], closedDoc: string, openDoc: string]> =
    [
      [
        "DeclaredClientId",
        "ClientId",
        names.clientIds,
        "The client ids of the declared connected apps.",
        `A client id: a declared one or any other (an undeclared one is denied with \`APP_UNKNOWN\`); ${offered}.`,
      ],
      [
        "DeclaredProfile",
        "ProfileName",
        names.profiles,
        "The declared profiles.",
        `A profile name: a declared one or any other (an undeclared one is denied with \`PROFILE_UNKNOWN\`); ${offered}.`,
      ],
      [
        "DeclaredPermissionSet",
        "PermissionSetName",
        names.permissionSets,
        "The declared permission sets.",
        `A permission set name: a declared one or any other (an undeclared one grants nothing); ${offered}.`,
      ],
      [
        "DeclaredPermissionSetGroup",
        "PermissionSetGroupName",
        names.permissionSetGroups,
        "The declared permission set groups.",
        `A permission set group name: a declared one or any other (an undeclared one grants nothing); ${offered}.`,
      ],
      [
        "DeclaredSite",
        "SiteName",
        names.sites,
        "The Experience sites the declared connected apps are installed in.",
        `An Experience site name: one the declared connected apps are installed in, or any other; ${offered}.`,
      ],
      [
        "DeclaredConnectedApp",
        "ConnectedAppName",
        names.apps,
        "The names of the declared connected apps.",
        `A connected app name, as decisions cite it; ${offered}.`,
      ],
      ["DeclaredOrg", "OrgName", [ir.org.name], "The declared org.", `An org name, as decisions cite it; ${offered}.`],
    ];
  for (const [closed, open, values, closedDoc, openDoc] of declared) {
    alias(closed, closedDoc, literalUnion(values));
    alias(open, openDoc, values.length === 0 ? "string & {}" : `${closed} | (string & {})`);
  }

  addRequest(file, property);
  addDecision(file, { alias, property, literalUnion, literal });
  addWrapper(file);

  const header = [
    `// Generated by Gatehouse ${version} for the policy set of bundle revision ${options.revision}; do not edit.`,
    "// `gatehouse build` writes it beside bundle.tar.gz.",
    "",
    "",
  ].join("\n");
  // ts-morph leaves a space after `=` when a union starts on the next line.
  const text = `${header}${file.getFullText().replace(/ +\n/g, "\n")}`;
  return { value: { file: "types.ts", text }, diagnostics: [] };
}

type Property = (
  name: string,
  type: string | ((writer: CodeBlockWriter) => void),
  docs?: string,
  optional?: boolean,
) => OptionalKind<PropertySignatureStructure>;

function addRequest(file: SourceFile, property: Property): void {
  file.addInterface({
    name: "Request",
    isExported: true,
    docs: ["A request (the runtime's `Request`), with the names this policy set declares offered as literals."],
    extends: ['Omit<RuntimeRequest, "user" | "app" | "site">'],
    properties: [
      property("user", "RequestUser", "The user making the request."),
      property("app", "{ readonly clientId: ClientId } | null", "The connected app, or `null` for none."),
      property("site", "SiteName", "The Experience site the request comes through.", true),
    ],
  });
  file.addInterface({
    name: "RequestUser",
    isExported: true,
    docs: ["The user of a request."],
    extends: ['Omit<RuntimeRequest["user"], "profile" | "permissionSets" | "permissionSetGroups">'],
    properties: [
      property("profile", "ProfileName", "The user's profile."),
      property("permissionSets", "readonly PermissionSetName[]", "The user's permission sets.", true),
      property("permissionSetGroups", "readonly PermissionSetGroupName[]", "The user's permission set groups.", true),
    ],
  });
}

const SOURCE_NAMES: Record<NonNullable<ReasonSpec["source"]>, string> = {
  Org: "OrgName",
  Profile: "ProfileName",
  ConnectedApp: "ConnectedAppName",
};

function addDecision(
  file: SourceFile,
  helpers: {
    alias: (name: string, docs: string, type: string | ((writer: CodeBlockWriter) => void)) => void;
    property: Property;
    literalUnion: (values: readonly string[]) => (writer: CodeBlockWriter) => void;
    literal: (value: string) => string;
  },
): void {
  const { alias, property, literalUnion, literal } = helpers;
  const reasons: readonly ReasonSpec[] = REASONS;
  alias(
    "ReasonCode",
    "Every reason code a decision can carry, in decision order.",
    literalUnion(reasons.map((r) => r.code)),
  );
  alias("NoteCode", "Every note code a decision can carry, in decision order.", literalUnion(NOTES.map((n) => n.code)));
  file.addInterface({
    name: "Source",
    isExported: true,
    docs: ["The declaration a reason cites."],
    typeParameters: [
      { name: "Kind", constraint: '"Org" | "Profile" | "ConnectedApp"' },
      { name: "Name", constraint: "string" },
    ],
    properties: [
      property("kind", "Kind"),
      property("name", "Name"),
      property("file", "string", "The YAML file, relative to the policy directory."),
      property("line", "number", "The 1-based line of the declaration's `kind` key."),
    ],
  });
  alias("Reason", "Why a request is denied: the code determines the control and what the reason cites.", (writer) => {
    for (const r of reasons) {
      const source = r.source === null ? "null" : `Source<${literal(r.source)}, ${SOURCE_NAMES[r.source]}>`;
      writer
        .newLine()
        .write(
          `| { readonly code: ${literal(r.code)}; readonly control: ${literal(r.control)}; readonly message: string; readonly source: ${source} }`,
        );
    }
  });
  file.addInterface({
    name: "Note",
    isExported: true,
    docs: ["A fact about a request that never denies it."],
    properties: [property("code", "NoteCode"), property("message", "string")],
  });
  const decision = (name: string, docs: string, allow: "true" | "false", reasons: string): void => {
    file.addInterface({
      name,
      isExported: true,
      docs: [docs],
      properties: [
        property("allow", allow),
        property("reasons", reasons),
        property("notes", "readonly Note[]"),
        property("revision", "string", "The revision of the bundle that decided."),
      ],
    });
  };
  decision("Allowed", "An allowed request: no reasons.", "true", "readonly []");
  decision(
    "Denied",
    "A denied request: at least one reason, in decision order.",
    "false",
    "readonly [Reason, ...Reason[]]",
  );
  alias("Decision", "A decision: `reasons` is empty exactly when `allow` is true.", "Allowed | Denied");
}

function addWrapper(file: SourceFile): void {
  const members = (decision: string, decisions: string, never: string) => ({
    properties: [{ name: "revision", type: "string", isReadonly: true, docs: ["The revision of the loaded bundle."] }],
    methods: [
      {
        name: "decide",
        parameters: [{ name: "request", type: "Request" }],
        returnType: decision,
        docs: [`Decides one request; ${never}.`],
      },
      {
        name: "decideMany",
        parameters: [{ name: "requests", type: "readonly Request[]" }],
        returnType: decisions,
        docs: [`Decides many requests, in order; ${never}.`],
      },
    ],
  });
  const sync = members("Decision", "Decision[]", "never throws");
  file.addInterface({
    name: "TypedAuthorizer",
    isExported: true,
    typeParameters: [{ name: "A", constraint: "Authorizer | ReloadingAuthorizer", default: "Authorizer" }],
    docs: ["An authorizer whose requests and decisions carry this policy set's types."],
    properties: [
      { name: "authorizer", type: "A", isReadonly: true, docs: ["The runtime authorizer it wraps."] },
      ...sync.properties,
    ],
    methods: sync.methods,
  });
  const pooled = members("Promise<Decision>", "Promise<Decision[]>", "rejects only once the pool is closed");
  file.addInterface({
    name: "TypedAuthorizerPool",
    isExported: true,
    docs: ["A worker pool whose requests and decisions carry this policy set's types."],
    properties: [
      { name: "authorizer", type: "AuthorizerPool", isReadonly: true, docs: ["The pool it wraps."] },
      ...pooled.properties,
    ],
    methods: pooled.methods,
  });
  file.addFunction({
    name: "typed",
    isExported: true,
    overloads: [
      {
        docs: [
          "Wraps a loaded `Authorizer` or `ReloadingAuthorizer` so that `decide` takes a `Request` and returns a `Decision` of this policy set.",
        ],
        typeParameters: [{ name: "A", constraint: "Authorizer | ReloadingAuthorizer" }],
        parameters: [{ name: "authorizer", type: "A" }],
        returnType: "TypedAuthorizer<A>",
      },
      {
        docs: [
          "Wraps an `AuthorizerPool` so that `decide` takes a `Request` and resolves to a `Decision` of this policy set.",
        ],
        parameters: [{ name: "authorizer", type: "AuthorizerPool" }],
        returnType: "TypedAuthorizerPool",
      },
    ],
    parameters: [{ name: "authorizer", type: "Authorizer | ReloadingAuthorizer | AuthorizerPool" }],
    returnType: "TypedAuthorizer<Authorizer | ReloadingAuthorizer> | TypedAuthorizerPool",
    statements: [
      "// INVARIANT: the runtime returns only decisions whose reasons are empty exactly when `allow` is",
      "// true, each with a registered code, its control and the kind it cites (or a runtime deny).",
      "const narrow = (decision: RuntimeDecision): Decision => decision as unknown as Decision;",
      "// Only the pool counts its workers; its decisions arrive as promises.",
      'if ("size" in authorizer) {',
      "  const pool = authorizer;",
      "  return {",
      "    authorizer: pool,",
      "    get revision() {",
      "      return pool.revision;",
      "    },",
      "    decide: async (request) => narrow(await pool.decide(request)),",
      "    decideMany: async (requests) => (await pool.decideMany(requests)).map(narrow),",
      "  };",
      "}",
      "const sync = authorizer;",
      "return {",
      "  authorizer: sync,",
      "  get revision() {",
      "    return sync.revision;",
      "  },",
      "  decide: (request) => narrow(sync.decide(request)),",
      "  decideMany: (requests) => sync.decideMany(requests).map(narrow),",
      "};",
    ],
  });
}
