import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../../core/package-root.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatehouse } from "../helpers/cli.js";
import { LspClient } from "../helpers/lsp.js";
import { tempDir } from "../helpers/policy.js";

interface Diagnostic {
  range: { start: { line: number; character: number } };
  message: string;
}
interface CompletionItem {
  label: string;
  documentation?: string | { kind: string; value: string };
}

/** Three documents; the third has a wrong enum value. */
const MULTI = [
  "kind: Profile",
  "name: Integration",
  "permissions: [ApiEnabled]",
  "---",
  "kind: Network",
  "name: office",
  "ranges:",
  "  - cidr: 203.0.113.0/24",
  "---",
  "kind: ConnectedApp",
  "name: erp",
  "clientIds: [k1]",
  "ipRelaxation: BYPASS_2FACTR",
  "",
].join("\n");

describe("gatehouse init", () => {
  it("writes a starter policy that check and test pass, and editor settings by glob", async () => {
    const root = tempDir();
    const init = await gatehouse(["init", root], process.env, root);
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    for (const f of ["org.yaml", "networks.yaml", "profiles.yaml", "apps.yaml", "tests.yaml"])
      expect(existsSync(join(root, "policies", f))).toBe(true);
    const kinds = ["org", "networks", "profiles", "apps", "tests"]
      .map((f) => readFileSync(join(root, "policies", `${f}.yaml`), "utf8"))
      .join("\n---\n")
      .match(/^kind: \w+/gm);
    expect(new Set(kinds)).toEqual(
      new Set(["kind: Org", "kind: Network", "kind: Profile", "kind: ConnectedApp", "kind: Test"]),
    );
    const settings = JSON.parse(readFileSync(join(root, ".vscode", "settings.json"), "utf8")) as {
      "yaml.schemas": Record<string, string[]>;
    };
    const [[schema, globs]] = Object.entries(settings["yaml.schemas"]) as [[string, string[]]];
    expect(globs).toEqual(["policies/**/*.yaml", "policies/**/*.yml"]);
    expect(JSON.parse(readFileSync(join(root, schema), "utf8"))).toMatchObject({ title: "Gatehouse declaration" });
    expect(readFileSync(join(root, ".helix", "languages.toml"), "utf8")).toContain(
      `${JSON.stringify(schema)} = ["policies/**/*.yaml","policies/**/*.yml"]`,
    );

    const check = await gatehouse(["check", join(root, "policies")], process.env, root);
    expect([check.code, check.stdout]).toEqual([0, "no problems found\n"]);
    const test = await gatehouse(["test", join(root, "policies")], process.env, root);
    expect(test.stdout).toMatch(/^test cases: 3 passed; boundary cases: [0-9]+ passed$/m);
    expect(test.code).toBe(0);
  });

  it("defaults to the working directory and says what to run next", async () => {
    const root = tempDir();
    const run = await gatehouse(["init"], process.env, root);
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n").slice(0, 2)).toEqual(["created policies/org.yaml", "created policies/networks.yaml"]);
    expect(run.stdout).toContain("next:\n  gatehouse check policies\n  gatehouse test policies\n");
    expect(existsSync(join(root, "policies", "tests.yaml"))).toBe(true);
  });

  it("refuses to overwrite an existing file: exit 2, a clear error, nothing written", async () => {
    const root = tempDir();
    const before = await gatehouse(["init", root], process.env, root);
    expect(before.code).toBe(0);
    writeFileSync(join(root, "policies", "apps.yaml"), "# mine\n");
    const again = await gatehouse(["init", root], process.env, root);
    expect(again.code).toBe(2);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain(`will not overwrite \`${join(root, "policies", "org.yaml")}\``);
    expect(again.stderr).toContain("help: run `gatehouse init` in an empty directory");
    expect(readFileSync(join(root, "policies", "apps.yaml"), "utf8")).toBe("# mine\n");

    const vscodeOnly = tempDir();
    mkdirSync(join(vscodeOnly, ".vscode"));
    writeFileSync(join(vscodeOnly, ".vscode", "settings.json"), "{}\n");
    const refused = await gatehouse(["init", vscodeOnly], process.env, vscodeOnly);
    expect(refused.code).toBe(2);
    expect(existsSync(join(vscodeOnly, "policies"))).toBe(false);
  });
});

describe("gatehouse import sfdx", () => {
  it("maps the imported folder in the repository's editor settings, keeping the settings already there", async () => {
    const repo = tempDir();
    mkdirSync(join(repo, ".git"));
    mkdirSync(join(repo, ".vscode"));
    writeFileSync(join(repo, ".vscode", "settings.json"), '{ "editor.tabSize": 2 }\n');
    const out = join(repo, "policy", "imported");
    const fixtures = join(packageRoot(), "test", "fixtures", "sfdx");
    const run = await gatehouse(["import", "sfdx", fixtures, "-o", out], process.env, repo);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("gatehouse: editor settings in .vscode/settings.json, .helix/languages.toml");
    const settings = JSON.parse(readFileSync(join(repo, ".vscode", "settings.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(settings["editor.tabSize"]).toBe(2);
    expect(Object.values(settings["yaml.schemas"] as Record<string, string[]>)).toEqual([
      ["policy/imported/**/*.yaml", "policy/imported/**/*.yml"],
    ]);

    // Settings with comments (JSONC) are left alone, with a note.
    writeFileSync(join(repo, ".vscode", "settings.json"), "// mine\n{}\n");
    const again = await gatehouse(["import", "sfdx", fixtures, "-o", out], process.env, repo);
    expect(again.stderr).toContain("left .vscode/settings.json as it is; add the schema mapping by hand");
    expect(readFileSync(join(repo, ".vscode", "settings.json"), "utf8")).toBe("// mine\n{}\n");
  });
});

describe("yaml-language-server with the settings gatehouse init writes", () => {
  let root: string;
  let client: LspClient;
  const uri = (path: string): string => pathToFileURL(join(root, path)).href;

  beforeAll(async () => {
    root = tempDir();
    expect((await gatehouse(["init", root], process.env, root)).code).toBe(0);
    const vscode = JSON.parse(readFileSync(join(root, ".vscode", "settings.json"), "utf8")) as Record<string, unknown>;
    // The settings the starter's .vscode/settings.json gives the YAML extension.
    const yaml = {
      schemas: vscode["yaml.schemas"],
      validate: true,
      completion: true,
      hover: true,
      schemaStore: { enable: false },
    };
    client = LspClient.yamlLanguageServer({ yaml });
    await client.request("initialize", {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: "policy" }],
      capabilities: {
        textDocument: {
          completion: { completionItem: { documentationFormat: ["markdown", "plaintext"], snippetSupport: false } },
          publishDiagnostics: {},
        },
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
      },
    });
    client.notify("initialized", {});
    client.notify("workspace/didChangeConfiguration", { settings: { yaml } });
  });

  afterAll(async () => {
    await client?.close();
  });

  function open(path: string, text: string): Promise<Diagnostic[]> {
    const diagnostics = client.waitFor<{ uri: string; diagnostics: Diagnostic[] }>(
      "textDocument/publishDiagnostics",
      (p) => p.uri === uri(path),
    );
    client.notify("textDocument/didOpen", { textDocument: { uri: uri(path), languageId: "yaml", version: 1, text } });
    return diagnostics.then((p) => p.diagnostics);
  }

  async function complete(path: string, line: number, character: number): Promise<CompletionItem[]> {
    const result = await client.request<{ items: CompletionItem[] } | CompletionItem[]>("textDocument/completion", {
      textDocument: { uri: uri(path) },
      position: { line, character },
    });
    return Array.isArray(result) ? result : result.items;
  }

  const doc = (item: CompletionItem | undefined): string =>
    typeof item?.documentation === "string" ? item.documentation : (item?.documentation?.value ?? "");

  it("reports a wrong enum value in the third document of a file", async () => {
    const diagnostics = await open("policies/multi.yaml", MULTI);
    expect(diagnostics.map((d) => [d.range.start.line, d.range.start.character])).toEqual([[12, 14]]);
    expect(diagnostics[0]!.message).toMatch(/BYPASS_2FACTOR/);
  });

  it("validates nothing outside the policy folder (the mapping is by glob, not global)", async () => {
    expect(await open("elsewhere/multi.yaml", MULTI)).toEqual([]);
  });

  it("completes kinds, fields and enum values, with the enum descriptions", async () => {
    await open(
      "policies/new.yaml",
      "kind: \n---\nkind: ConnectedApp\nname: x\n\n---\nkind: ConnectedApp\nipRelaxation: \n",
    );
    const kinds = await complete("policies/new.yaml", 0, 6);
    expect(kinds.map((i) => i.label)).toEqual(
      expect.arrayContaining(["Org", "Network", "Profile", "PermissionSet", "ConnectedApp", "Test"]),
    );
    expect(doc(kinds.find((i) => i.label === "ConnectedApp"))).toContain("the kind of declaration");
    const fields = await complete("policies/new.yaml", 4, 0);
    expect(fields.map((i) => i.label)).toEqual(expect.arrayContaining(["ipRelaxation", "permittedUsers", "clientIds"]));
    const values = await complete("policies/new.yaml", 7, 14);
    expect(values.map((i) => i.label).sort()).toEqual(["BYPASS", "BYPASS_2FACTOR", "ENFORCE", "ENFORCE_RELAXREFRESH"]);
    expect(doc(values.find((i) => i.label === "BYPASS_2FACTOR"))).toContain(
      "Relax IP restrictions for activated devices",
    );
  });
});
