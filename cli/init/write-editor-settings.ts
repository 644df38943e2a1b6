import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Io } from "../io.js";
import { mergeEditorSettings, workspaceRoot } from "./editor-settings.js";

/**
 * Writes (or merges) the editor settings for the policy folder `policyDir` at the root of the
 * git repository holding it (else in the folder itself), and says what it did on stderr.
 */
export function writeEditorSettings(policyDir: string, io: Io): void {
  const cwd = io.cwd ?? process.cwd();
  const root = workspaceRoot(resolve(cwd, policyDir), resolve(cwd, policyDir));
  const { write, kept } = mergeEditorSettings(root, resolve(cwd, policyDir));
  for (const f of write) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.text);
  }
  const shown = (path: string): string => relative(cwd, join(root, path)) || path;
  if (write.length > 0)
    io.stderr(`gatehouse: editor settings in ${write.map((f) => shown(f.path)).join(", ")} (docs/editors.md)\n`);
  for (const path of kept)
    io.stderr(`gatehouse: left ${shown(path)} as it is; add the schema mapping by hand (docs/editors.md)\n`);
}
