import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { editorSettings } from "../init/editor-settings.js";
import { STARTER_POLICY } from "../init/starter.js";
import { CliError, EXIT, type Io } from "../io.js";

/** The folder `gatehouse init` puts the starter policy in, relative to DIR. */
export const POLICY_FOLDER = "policies";

/**
 * `gatehouse init [DIR]`: writes a starter policy set to DIR/policies and the editor settings
 * that validate every document under it. Refuses (exit 2, nothing written) when any of those
 * files already exists.
 */
export function runInit(dir: string, io: Io): number {
  const cwd = io.cwd ?? process.cwd();
  const root = resolve(cwd, dir);
  const policies = join(root, POLICY_FOLDER);
  const files = [
    ...STARTER_POLICY.map(([path, text]) => ({ path: join(POLICY_FOLDER, path), text })),
    ...editorSettings(root, policies),
  ];
  const existing = files.filter((f) => existsSync(join(root, f.path))).map((f) => join(dir, f.path));
  if (existing.length > 0)
    throw new CliError(
      `will not overwrite ${existing.map((f) => `\`${f}\``).join(", ")}`,
      EXIT.usage,
      "run `gatehouse init` in an empty directory, or move those files away first",
    );
  for (const f of files) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.text, { flag: "wx" });
  }
  const shown = relative(cwd, policies) || ".";
  io.stdout(
    [
      ...files.map((f) => `created ${join(dir, f.path)}`),
      "",
      "next:",
      `  gatehouse check ${shown}`,
      `  gatehouse test ${shown}`,
      `  gatehouse build ${shown} -o dist/policy`,
      "",
    ].join("\n"),
  );
  return EXIT.ok;
}
