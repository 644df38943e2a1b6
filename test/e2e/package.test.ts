import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { tempDir } from "../helpers/policy.js";

/**
 * The packages as users get them: `npm pack` both, install the tarballs into fresh projects from
 * the npm cache, and use them there as the docs say: a policy repository runs the CLI through
 * `npx --no-install gatehouse`, a service installs only the runtime and loads it from CommonJS,
 * ESM and TypeScript.
 */
const root = packageRoot();
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(cmd: string, args: readonly string[], cwd: string, input?: string): SpawnSyncReturns<string> {
  const result = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout: 300_000,
    env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", NO_COLOR: "1" },
    ...(input === undefined ? {} : { input }),
  });
  if (result.error) throw result.error;
  return result;
}

function ok(result: SpawnSyncReturns<string>): string {
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

interface Packed {
  readonly tarball: string;
  readonly files: readonly string[];
}

/** Packs the package in `dir` (built already: the tests run after `npm run build`). */
function pack(args: readonly string[], into: string): Packed {
  const out = ok(run(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", into, ...args], root));
  const [info] = JSON.parse(out) as [{ filename: string; files: { path: string }[] }];
  return { tarball: join(into, info.filename), files: info.files.map((f) => f.path).sort() };
}

/** A fresh project in a temporary directory, with `deps` installed from tarballs. */
function project(name: string, tarballs: readonly string[], extra: Record<string, unknown> = {}): string {
  const dir = tempDir(`gatehouse-${name}-`);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, ...extra }, null, 2));
  ok(run(npm, ["install", "--prefer-offline", "--save-dev", ...tarballs], dir));
  return dir;
}

function du(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + du(join(path, entry)), 0);
}

let cli: Packed;
let runtime: Packed;

beforeAll(() => {
  expect(existsSync(join(root, "wasm", "dist", "cjs", "wasm", "index.js")), "run `npm run build` first").toBe(true);
  const into = tempDir("gatehouse-pack-");
  runtime = pack(["--workspace", "wasm"], into);
  cli = pack([], into);
});

describe("npm pack", () => {
  it("ships the CLI, the compiler, schemas, templates and the opa pin; no tests, examples, sources or maps", () => {
    for (const needed of [
      "LICENSE",
      "README.md",
      "bin/gatehouse.js",
      "compiler/build/capabilities.json",
      "dist/cli/main.js",
      "dist/compiler/pipeline.d.ts",
      "runtime/index.cjs",
      "runtime/index.d.cts",
      "runtime/index.d.ts",
      "runtime/index.js",
      "schemas/policy.schema.json",
      "templates/facts.rego.hbs",
      "tools/opa/go.mod",
      "tools/opa/go.sum",
    ])
      expect(cli.files).toContain(needed);
    const unexpected = cli.files.filter(
      (f) =>
        /^(examples|test|bench|scripts|docs|cli|core|wasm|\.tools)\//.test(f) ||
        f.startsWith("dist/quickstart") ||
        f.endsWith(".map") ||
        (f.endsWith(".ts") && !f.endsWith(".d.ts")) ||
        f.endsWith(".tar.gz"),
    );
    expect(unexpected).toEqual([]);
  });

  it("ships the runtime as ESM and CommonJS with declarations, and nothing of the compiler", () => {
    expect(runtime.files.filter((f) => !/^dist\/(esm|cjs)\/(wasm|core)\/[a-z.-]+\.(js|d\.ts)$/.test(f))).toEqual([
      "LICENSE",
      "README.md",
      "dist/cjs/package.json",
      "package.json",
    ]);
    for (const format of ["esm", "cjs"]) {
      expect(runtime.files).toContain(`dist/${format}/wasm/index.js`);
      expect(runtime.files).toContain(`dist/${format}/wasm/index.d.ts`);
      expect(runtime.files).toContain(`dist/${format}/wasm/pool-worker.js`);
    }
    expect(runtime.files.some((f) => f.includes("compiler") || f.includes("package-root"))).toBe(false);
  });

  it("has types every TypeScript resolution mode finds (arethetypeswrong: no problems)", () => {
    const attw = join(root, "node_modules", ".bin", "attw");
    for (const args of [[runtime.tarball], [cli.tarball, "--entrypoints", "./runtime"]]) {
      const result = run(attw, [...args, "--format", "json"], root);
      const report = JSON.parse(result.stdout) as { problems: unknown[] | Record<string, unknown[]> };
      expect(Object.values(report.problems).flat()).toEqual([]);
      expect(result.status).toBe(0);
    }
  });
});

describe("a policy repository with gatehouse-policy as a dev dependency", () => {
  it("from a fresh directory: install the tarballs, init, check, test, build and eval with npx --no-install", () => {
    const dir = project("fresh", [runtime.tarball, cli.tarball]);
    const npx = (...args: string[]) =>
      run(process.platform === "win32" ? "npx.cmd" : "npx", ["--no-install", "gatehouse", ...args], dir);
    ok(npx("init"));
    expect(existsSync(join(dir, "policies"))).toBe(true);
    expect(ok(npx("check", "policies"))).toContain("no problems found");
    ok(npx("test", "policies"));
    const built = npx("build", "policies", "-o", "dist/policy");
    ok(built);
    const revision = /\(revision ([0-9a-f]{32}),/.exec(built.stderr)![1];
    const request = JSON.stringify({
      user: { userType: "Standard", profile: "Nobody" },
      app: { clientId: "nothing" },
      channel: "api",
      grant: "jwt_bearer",
      sourceIp: "203.0.113.9",
      login: true,
    });
    const evaluated = run(
      "npx",
      ["--no-install", "gatehouse", "eval", "--bundle", "dist/policy/bundle.tar.gz", "--input", "-"],
      dir,
      request,
    );
    expect(evaluated.status).toBe(1);
    const decision = JSON.parse(evaluated.stdout) as { allow: boolean; reasons: { code: string }[]; revision: string };
    expect([decision.allow, decision.revision]).toEqual([false, revision]);
    expect(decision.reasons.length).toBeGreaterThan(0);
  });

  it("runs check, build and eval through npx --no-install and npm scripts", () => {
    const scripts = { check: "gatehouse check policies", build: "gatehouse build policies -o dist/policy" };
    const dir = project("policies", [runtime.tarball, cli.tarball], { scripts });
    // The starter layout: the quick start's declarations and requests.
    mkdirSync(join(dir, "policies"));
    for (const file of readdirSync(join(root, "examples", "quickstart")))
      cpSync(join(root, "examples", "quickstart", file), join(dir, file.endsWith(".yaml") ? "policies" : ".", file));

    expect(ok(run(npm, ["run", "--silent", "check"], dir))).toContain("no problems found");
    ok(run(npm, ["run", "--silent", "build"], dir));
    expect(existsSync(join(dir, "dist", "policy", "bundle.tar.gz"))).toBe(true);
    const npx = ["exec", "--no-install", "--", "gatehouse"];
    ok(run(npm, [...npx, "check", "policies", "--format", "json"], dir));
    const evaluated = run(
      npm,
      [
        ...npx,
        "eval",
        "--bundle",
        "dist/policy/bundle.tar.gz",
        "--inputs",
        "requests.jsonl",
        "--expect",
        "expected.jsonl",
      ],
      dir,
    );
    ok(evaluated);
    expect(evaluated.stdout.trim().split("\n")).toHaveLength(
      readFileSync(join(dir, "requests.jsonl"), "utf8").trim().split("\n").length,
    );
    // The compiler package's /runtime subpath is the runtime package: the same classes, from either module system.
    writeFileSync(
      join(dir, "same.cjs"),
      'const { Authorizer } = require("gatehouse-policy/runtime");\nconsole.log(Authorizer === require("gatehouse-policy-runtime").Authorizer);\n',
    );
    writeFileSync(
      join(dir, "same.mjs"),
      'import { Authorizer } from "gatehouse-policy/runtime";\nimport * as runtime from "gatehouse-policy-runtime";\nconsole.log(Authorizer === runtime.Authorizer);\n',
    );
    expect(ok(run(process.execPath, ["same.cjs"], dir))).toBe("true\n");
    expect(ok(run(process.execPath, ["same.mjs"], dir))).toBe("true\n");
  });
});

describe("a service with only gatehouse-policy-runtime", () => {
  let bundle: string;
  let types: string;
  let service: string;
  beforeAll(() => {
    const out = tempDir("gatehouse-bundle-");
    ok(
      run(
        process.execPath,
        [join(root, "bin", "gatehouse.js"), "build", join(root, "examples", "quickstart"), "-o", out],
        root,
      ),
    );
    bundle = join(out, "bundle.tar.gz");
    types = readFileSync(join(out, "types.ts"), "utf8");
    service = project("service", [runtime.tarball]);
  });

  const request = {
    user: { userType: "Standard", profile: "Integration" },
    app: { clientId: "3MVG9erpSyncNorthwind" },
    channel: "api",
    grant: "jwt_bearer",
    sourceIp: "198.51.100.20",
    login: true,
  };

  it("installs without the compiler, in under 5 MB (reported)", () => {
    const modules = readdirSync(join(service, "node_modules"));
    for (const heavy of ["ts-morph", "typescript", "ajv", "handlebars", "gatehouse-policy", "commander"])
      expect(modules).not.toContain(heavy);
    const bytes = du(join(service, "node_modules"));
    process.stdout.write(`gatehouse-policy-runtime install size: ${(bytes / 1024 / 1024).toFixed(2)} MiB\n`);
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
  });

  it("is required from CommonJS, the worker pool included", () => {
    writeFileSync(
      join(service, "decide.cjs"),
      `const { Authorizer, AuthorizerPool } = require("gatehouse-policy-runtime");
(async () => {
  const request = ${JSON.stringify(request)};
  const authorizer = await Authorizer.load(process.argv[2]);
  const pool = await AuthorizerPool.open(process.argv[2], { workers: 1 });
  const pooled = await pool.decide({ ...request, sourceIp: "203.0.113.9" });
  await pool.close();
  console.log(JSON.stringify([authorizer.decide(request).allow, pooled.reasons.map((r) => r.code)]));
})();
`,
    );
    expect(JSON.parse(ok(run(process.execPath, ["decide.cjs", bundle], service)))).toEqual([
      true,
      ["IP_OUTSIDE_LOGIN_RANGES"],
    ]);
  });

  it("is imported from ESM", () => {
    writeFileSync(
      join(service, "decide.mjs"),
      `import { Authorizer, BundleError } from "gatehouse-policy-runtime";
const authorizer = await Authorizer.load(process.argv[2]);
const refused = await Authorizer.load(new Uint8Array([1, 2, 3])).catch((e) => e instanceof BundleError && e.code);
console.log(JSON.stringify([authorizer.decide(${JSON.stringify(request)}).allow, refused]));
`,
    );
    expect(JSON.parse(ok(run(process.execPath, ["decide.mjs", bundle], service)))).toEqual([true, "BUNDLE_CORRUPT"]);
  });

  it("type-checks a TypeScript service using the generated types, under node16, bundler and CommonJS resolution", () => {
    writeFileSync(join(service, "types.ts"), types);
    writeFileSync(
      join(service, "service.ts"),
      `import { Authorizer, AuthorizerPool } from "gatehouse-policy-runtime";
import { typed, type Decision, type Request } from "./types${"$EXT"}";

export async function decide(path: string, request: Request): Promise<Decision[]> {
  const one = typed(await Authorizer.load(path));
  const pool = typed(await AuthorizerPool.open(path));
  const first: Decision = one.decide(request);
  return [first, await pool.decide(request)];
}
`,
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const modes = [
      { module: "node16", moduleResolution: "node16", ext: ".js", type: "module" },
      { module: "nodenext", moduleResolution: "nodenext", ext: ".js", type: "commonjs" },
      { module: "esnext", moduleResolution: "bundler", ext: "", type: "module" },
      { module: "commonjs", moduleResolution: "node10", ext: "", type: "commonjs" },
    ];
    const source = readFileSync(join(service, "service.ts"), "utf8");
    for (const mode of modes) {
      writeFileSync(join(service, "service.ts"), source.replace("$EXT", mode.ext));
      const pkg = JSON.parse(readFileSync(join(service, "package.json"), "utf8")) as Record<string, unknown>;
      writeFileSync(join(service, "package.json"), JSON.stringify({ ...pkg, type: mode.type }));
      const compilerOptions = {
        target: "ES2022",
        module: mode.module,
        moduleResolution: mode.moduleResolution,
        strict: true,
        noEmit: true,
        types: [],
        typeRoots: [join(root, "node_modules", "@types")],
        ignoreDeprecations: "6.0",
      };
      writeFileSync(
        join(service, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { ...compilerOptions, types: ["node"] }, files: ["service.ts"] }),
      );
      const result = run(process.execPath, [tsc, "-p", ".", "--pretty", "false"], service);
      expect(`${mode.moduleResolution}: ${result.stdout}`).toBe(`${mode.moduleResolution}: `);
    }
  });
});
