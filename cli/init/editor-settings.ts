/**
 * Editor settings that map Gatehouse's bundled schema to a policy folder by glob, so
 * yaml-language-server (VS Code, Neovim, Helix, Emacs, ...) validates and completes every
 * document of every YAML file there, not only the first document as a `$schema` modeline does.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { packageRoot } from "../../core/package-root.js";

/** The globs, relative to the workspace root, that select the policy files under `policyDir`. */
export function policyGlobs(workspace: string, policyDir: string): string[] {
  const rel = relative(resolve(workspace), resolve(policyDir)).split(sep).join("/");
  const base = rel === "" ? "" : `${rel}/`;
  return [`${base}**/*.yaml`, `${base}**/*.yml`];
}

/**
 * The path of this installation's schemas/policy.schema.json relative to `workspace`, with `/`
 * separators: `node_modules/<package>/schemas/policy.schema.json` when Gatehouse is installed
 * in the workspace, so the settings follow the installed version.
 */
export function schemaReference(workspace: string): string {
  const rel = relative(resolve(workspace), join(packageRoot(), "schemas", "policy.schema.json"));
  return rel.split(sep).join("/");
}

/** One settings file, by its path relative to the workspace root. */
export interface EditorFile {
  readonly path: string;
  readonly text: string;
}

/**
 * The editor settings for a workspace whose policy files live under `policyDir`:
 * `.vscode/settings.json` (`yaml.schemas`, read by the VS Code YAML extension) and
 * `.helix/languages.toml` (the same setting for Helix's yaml-language-server). Other clients
 * take the same `yaml.schemas` object in their own configuration (docs/editors.md).
 */
export function editorSettings(workspace: string, policyDir: string): EditorFile[] {
  const schema = schemaReference(workspace);
  const globs = policyGlobs(workspace, policyDir);
  const vscode = { "yaml.schemas": { [schema]: globs }, "yaml.validate": true, "yaml.completion": true };
  const toml = [
    "# yaml-language-server settings for Helix: validate every Gatehouse policy document.",
    "[language-server.yaml-language-server.config.yaml]",
    "validate = true",
    "completion = true",
    "",
    "[language-server.yaml-language-server.config.yaml.schemas]",
    `${JSON.stringify(schema)} = ${JSON.stringify(globs)}`,
    "",
  ].join("\n");
  return [
    { path: ".vscode/settings.json", text: `${JSON.stringify(vscode, null, 2)}\n` },
    { path: ".helix/languages.toml", text: toml },
  ];
}

/** The workspace root for a policy folder: the git repository holding it, else `fallback`. */
export function workspaceRoot(policyDir: string, fallback: string): string {
  for (let dir = resolve(policyDir); ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return resolve(fallback);
  }
}

/**
 * Settings to write into a workspace that may already have some: files that do not exist are
 * returned as they are; an existing `.vscode/settings.json` that is plain JSON gets the
 * `yaml.schemas` entry merged in; a file that already says exactly this is skipped; anything
 * else existing is left alone and reported in `kept`.
 */
export function mergeEditorSettings(workspace: string, policyDir: string): { write: EditorFile[]; kept: string[] } {
  const write: EditorFile[] = [];
  const kept: string[] = [];
  for (const file of editorSettings(workspace, policyDir)) {
    const full = join(workspace, file.path);
    if (!existsSync(full)) {
      write.push(file);
      continue;
    }
    const merged =
      file.path === ".vscode/settings.json" ? mergeVscode(readFileSync(full, "utf8"), file.text) : undefined;
    if (merged === undefined) kept.push(file.path);
    else write.push({ path: file.path, text: merged });
  }
  return { write, kept };
}

function mergeVscode(existing: string, ours: string): string | undefined {
  let current: unknown;
  try {
    current = JSON.parse(existing);
  } catch {
    return undefined; // JSON with comments: left for the user to edit.
  }
  if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
  const mine = JSON.parse(ours) as { "yaml.schemas": Record<string, string[]> };
  const settings = current as Record<string, unknown>;
  const schemas = settings["yaml.schemas"];
  const before = schemas !== null && typeof schemas === "object" && !Array.isArray(schemas) ? schemas : {};
  return `${JSON.stringify({ ...settings, "yaml.schemas": { ...before, ...mine["yaml.schemas"] } }, null, 2)}\n`;
}
