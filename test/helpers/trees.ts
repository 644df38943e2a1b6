/** Whole-tree helpers for tests of importing and exporting metadata trees. */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";

/** Every file under `dir`, relative with `/`, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join(posix.sep));
    }
  };
  walk(dir);
  return out.sort();
}

/** Copies a directory tree (used to give tests a writable copy of a fixture). */
export function copyTree(from: string, to: string): void {
  for (const f of filesUnder(from)) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    copyFileSync(join(from, f), join(to, f));
  }
}

/** The bytes of every file of a tree, by path. */
export function treeBytes(dir: string): Map<string, string> {
  return new Map(filesUnder(dir).map((f) => [f, readFileSync(join(dir, f)).toString("base64")]));
}
