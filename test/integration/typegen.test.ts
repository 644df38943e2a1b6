import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { typegen } from "../../compiler/typegen/index.js";
import type { Ir } from "../../compiler/lower/index.js";
import { NOTES, REASONS } from "../../core/codes.js";
import { packageRoot } from "../../core/package-root.js";
import { Authorizer } from "../../wasm/index.js";
import { buildDir, compileDir, ORG, policyDir, tempDir } from "../helpers/policy.js";

const root = packageRoot();
const examples = readdirSync(join(root, "examples")).filter((name) =>
  readdirSync(join(root, "examples", name)).some((f) => f.endsWith(".yaml")),
);
const golden = join(root, "test", "golden", "quickstart", "types.ts");

/** Names no template may break: quotes, backslashes, comment and template delimiters, U+2028, non-ASCII. */
const HOSTILE = [
  'Sales "Ops"',
  "back\\slash",
  "*/ /* evil",
  "${process.exit()}",
  "line\u2028sep",
  "Système 😀",
  "`tick`",
];

async function irOf(dir: string): Promise<Ir> {
  const c = await compileDir(dir);
  if (!c.ir) throw new Error(`cannot compile ${dir}: ${c.diagnostics.map((d) => d.message).join("; ")}`);
  return c.ir;
}

async function typesOf(ir: Ir, revision = "0123456789abcdef0123456789abcdef"): Promise<string> {
  const result = await typegen(ir, { revision, version: "0.0.0" });
  if (!result.value) throw new Error("typegen produced nothing");
  return result.value.text;
}

/** One `tsc` diagnostic: file relative to the project, 1-based position, code, message. */
interface TscError {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

/** Runs the repository's `tsc` on a consumer project importing the runtime package. */
function tsc(project: string): TscError[] {
  const bin = join(root, "node_modules", "typescript", "bin", "tsc");
  const run = spawnSync(process.execPath, [bin, "-p", ".", "--pretty", "false"], { cwd: project, encoding: "utf8" });
  const errors: TscError[] = [];
  for (const line of run.stdout.split("\n")) {
    const m = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
    if (m) errors.push({ file: m[1]!, line: Number(m[2]), code: m[3]!, message: m[4]! });
    // Indented lines elaborate the error above; the first line is what the tests assert.
    else if (line.trim() !== "" && !/^\s/.test(line)) throw new Error(`unexpected tsc output: ${line}`);
  }
  return errors;
}

/** A consumer project: both packages resolve to this repository through node_modules, as if installed. */
function consumerProject(): string {
  const dir = tempDir("gatehouse-consumer-");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules", "gatehouse-policy"), "dir");
  symlinkSync(join(root, "wasm"), join(dir, "node_modules", "gatehouse-policy-runtime"), "dir");
  symlinkSync(join(root, "node_modules", "@types"), join(dir, "node_modules", "@types"), "dir");
  const compilerOptions = {
    target: "ES2022",
    lib: ["ES2023"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noUnusedLocals: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["**/*.ts"] }));
  return dir;
}

/** A consumer that uses the types as intended, with the first declared names of the policy set. */
function goodUse(ir: Ir): string {
  const profile = JSON.stringify(ir.profiles[0]?.name ?? "Any");
  const clientId = JSON.stringify(ir.apps.flatMap((a) => a.clientIds)[0] ?? "any");
  const permissionSets = JSON.stringify(ir.permissionSets.map((p) => p.name).slice(0, 1));
  const groups = JSON.stringify(ir.permissionSetGroups.map((g) => g.name).slice(0, 1));
  return `import { Authorizer, AuthorizerPool, ReloadingAuthorizer } from "gatehouse-policy-runtime";
import { REVISION, typed, type ConnectedAppName, type Decision, type Reason, type Request } from "./types.js";

export async function run(path: string): Promise<Decision[]> {
  const authorizer = typed(await Authorizer.load(path));
  const declared: Request = {
    user: { userType: "Standard", profile: ${profile}, permissionSets: ${permissionSets}, permissionSetGroups: ${groups} },
    app: { clientId: ${clientId} },
    channel: "api",
    grant: "web_server",
    sourceIp: "203.0.113.7",
    login: true,
  };
  const undeclared: Request = {
    ...declared,
    user: { userType: "PowerPartner", profile: "Not Declared" },
    app: { clientId: "not-declared" },
    site: "nowhere",
  };
  const decision = authorizer.decide(declared);
  if (decision.allow) {
    const none: readonly [] = decision.reasons;
    console.log(none.length);
  } else {
    const first: Reason = decision.reasons[0];
    if (first.code === "APP_BLOCKED") {
      const app: ConnectedAppName = first.source.name;
      console.log(app, first.control satisfies "connected-app");
    }
    if (first.code === "APP_UNKNOWN") console.log(first.source satisfies null);
  }
  console.log(authorizer.revision === REVISION);
  return authorizer.decideMany([declared, undeclared]);
}

export async function others(path: string, request: Request): Promise<Decision> {
  const reloading = typed(await ReloadingAuthorizer.open(path));
  const now: Decision = reloading.decide(request);
  console.log(now.allow, reloading.authorizer.status(), reloading.revision);
  const pool = typed(await AuthorizerPool.open(path));
  const many: Decision[] = await pool.decideMany([request]);
  console.log(many.length, pool.authorizer.size);
  return pool.decide(request);
}
`;
}

/** A consumer that misuses the types; each marked line must fail to compile. */
const BAD_USE = `import { Authorizer } from "gatehouse-policy-runtime";
import { typed, type Request } from "./types.js";

export async function misuse(path: string): Promise<void> {
  const authorizer = typed(await Authorizer.load(path));
  const request: Request = {
    user: { userType: "Standard", profile: "Sales User" },
    app: null,
    channel: "api",
    grant: "password",
    sourceIp: "10.0.0.1",
    login: true,
  };
  authorizer.decide({ ...request, channel: "web" });
  authorizer.decide({ ...request, sourceIP: "10.0.0.1" });
  authorizer.decide({ user: request.user, app: null });
  const decision = authorizer.decide(request);
  if (!decision.allow && decision.reasons[0].code === "APP_BLOKED") return;
  if (decision.allow) console.log(decision.reasons[0]);
  authorizer.decide({ ...request, user: { ...request.user, userType: "Admin" } });
}
`;

describe("typegen: types.ts for a policy set", () => {
  let project: string;
  let errors: TscError[];
  const irs = new Map<string, Ir>();
  beforeAll(async () => {
    expect(existsSync(join(root, "wasm", "dist", "esm", "wasm", "index.d.ts")), "run `npm run build` first").toBe(true);
    project = consumerProject();
    for (const name of examples) {
      const ir = await irOf(join(root, "examples", name));
      irs.set(name, ir);
      mkdirSync(join(project, name));
      writeFileSync(join(project, name, "types.ts"), await typesOf(ir));
      writeFileSync(join(project, name, "good.ts"), goodUse(ir));
      writeFileSync(join(project, name, "bad.ts"), BAD_USE);
    }
    const doc = readFileSync(join(root, "docs", "runtime.md"), "utf8");
    const example = /## Generated types[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    writeFileSync(join(project, "quickstart", "readme.ts"), example.replace("./dist/policy/types.js", "./types.js"));
    const hostile = policyDir({
      "org.yaml": ORG,
      "policy.yaml": [
        ...HOSTILE.map((name) => `kind: Profile\nname: ${JSON.stringify(name)}\npermissions: [ApiEnabled]\n`),
        `kind: ConnectedApp\nname: app\nclientIds: ${JSON.stringify(HOSTILE)}\nprofiles: ${JSON.stringify(HOSTILE)}\n`,
        "kind: PermissionSet\nname: S\n",
        ...HOSTILE.map((name) => `kind: PermissionSetGroup\nname: ${JSON.stringify(name)}\npermissionSets: [S]\n`),
      ].join("---\n"),
    });
    const ir = await irOf(hostile);
    irs.set("hostile", ir);
    mkdirSync(join(project, "hostile"));
    writeFileSync(join(project, "hostile", "types.ts"), await typesOf(ir));
    writeFileSync(join(project, "hostile", "good.ts"), goodUse(ir));
    errors = tsc(project);
  });

  it("covers at least the quick start", () => {
    expect(examples).toContain("quickstart");
  });

  it("compiles with tsc, and so does correct use (and the example in docs/runtime.md), for every example", () => {
    const unexpected = errors.filter((e) => !e.file.endsWith("bad.ts"));
    expect(unexpected).toEqual([]);
  });

  it("makes tsc reject each misuse of `decide` and of a decision, for every example", () => {
    for (const name of examples) {
      const found = errors.filter((e) => e.file === `${name}/bad.ts`).map((e) => `${e.line}: ${e.code}: ${e.message}`);
      expect(found).toEqual([
        `14: TS2322: Type '"web"' is not assignable to type '"api" | "ui"'.`,
        `15: TS2561: Object literal may only specify known properties, but 'sourceIP' does not exist in type 'Request'. Did you mean to write 'sourceIp'?`,
        `16: TS2345: Argument of type '{ user: RequestUser; app: null; }' is not assignable to parameter of type 'Request'.`,
        `18: TS2367: This comparison appears to be unintentional because the types '"INPUT_INVALID" | "PROFILE_UNKNOWN" | "API_ONLY_USER_UI_DENIED" | "API_NOT_ENABLED" | "GUEST_API_DENIED" | "AAC_NO_CONNECTED_APP" | "AAC_APP_NOT_ALLOWLISTED" | "AAC_EXTERNAL_APP_NOT_INSTALLED" | ... 9 more ... | "EVALUATION_ERROR"' and '"APP_BLOKED"' have no overlap.`,
        `19: TS2493: Tuple type 'readonly []' of length '0' has no element at index '0'.`,
        `20: TS2322: Type '"Admin"' is not assignable to type '"Standard" | "PowerPartner" | "PowerCustomerSuccess" | "CustomerSuccess" | "CspLitePortal" | "Guest" | "CsnOnly"'.`,
      ]);
    }
  });

  it("keeps hostile declared names as exact string literals", () => {
    const text = readFileSync(join(project, "hostile", "types.ts"), "utf8");
    const source = ts.createSourceFile("types.ts", text, ts.ScriptTarget.ES2022, true);
    const literals = (alias: string): string[] => {
      const node = source.statements.find((s) => ts.isTypeAliasDeclaration(s) && s.name.text === alias);
      if (!node || !ts.isTypeAliasDeclaration(node)) throw new Error(`no ${alias}`);
      const types = ts.isUnionTypeNode(node.type) ? node.type.types : [node.type];
      return types.map((t) => (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : "?"));
    };
    const sorted = [...HOSTILE].sort((a, b) => (a < b ? -1 : 1));
    expect(literals("DeclaredProfile")).toEqual(sorted);
    expect(literals("DeclaredClientId")).toEqual(sorted);
    expect(literals("DeclaredConnectedApp")).toEqual(["app"]);
    expect(literals("DeclaredPermissionSetGroup")).toEqual(sorted);
    expect(literals("DeclaredSite")).toEqual(["?"]);
    expect(text).toContain("export type DeclaredSite = never;");
    // No name added, removed or changed a declaration: the same exports as for the quick start.
    const exported = (code: string): string[] => {
      const file = ts.createSourceFile("t.ts", code, ts.ScriptTarget.ES2022, true);
      return file.statements.flatMap((st) => {
        const modifiers = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
        if (!modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return [];
        const name = ts.isVariableStatement(st)
          ? st.declarationList.declarations.map((d) => d.name.getText(file)).join()
          : ((st as ts.DeclarationStatement).name?.getText(file) ?? "");
        return [`${ts.SyntaxKind[st.kind]} ${name}`];
      });
    };
    expect(exported(text)).toEqual(exported(readFileSync(join(project, "quickstart", "types.ts"), "utf8")));
  });

  it("lists every reason and note code of the registry", async () => {
    const text = await typesOf(irs.get("quickstart")!);
    for (const { code, control } of REASONS)
      expect(text).toContain(`readonly code: "${code}"; readonly control: "${control}";`);
    for (const { code } of NOTES) expect(text).toContain(`| "${code}"`);
  });

  it("matches the reviewed test/golden/quickstart/types.ts, and is deterministic", async () => {
    const text = await typesOf(irs.get("quickstart")!);
    if (process.env.UPDATE_GOLDEN === "1") {
      mkdirSync(join(golden, ".."), { recursive: true });
      writeFileSync(golden, text);
    }
    expect(text).toBe(readFileSync(golden, "utf8"));
    expect(await typesOf(irs.get("quickstart")!)).toBe(text);
  });

  it("describes what the runtime returns: every reason's control and cited kind agree with the registry", async () => {
    const c = await buildDir(join(root, "examples", "quickstart"));
    const authorizer = await Authorizer.load(c.built.bundle);
    const requests = readFileSync(join(root, "examples", "quickstart", "requests.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as unknown);
    const ir = irs.get("quickstart")!;
    const declared = {
      Org: [ir.org.name],
      Profile: ir.profiles.map((p) => p.name),
      ConnectedApp: ir.apps.map((a) => a.name),
    };
    const seen = new Set<string>();
    for (const decision of authorizer.decideMany([...requests, {}])) {
      expect(decision.allow).toBe(decision.reasons.length === 0);
      for (const reason of decision.reasons) {
        const spec = REASONS.find((r) => r.code === reason.code)!;
        expect([reason.code, reason.control, reason.source?.kind ?? null]).toEqual([
          spec.code,
          spec.control,
          spec.source,
        ]);
        if (reason.source) expect(declared[reason.source.kind]).toContain(reason.source.name);
        seen.add(reason.code);
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(5);
  });
});
