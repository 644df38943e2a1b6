import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The name Gatehouse is published under on npm (the `gatehouse` command comes with it). */
export const PACKAGE_NAME = "gatehouse-policy";

let cached: string | undefined;

/**
 * The directory of Gatehouse's own package.json, found by walking up from this module, so that
 * assets (schemas, templates) resolve the same way from the sources and from the built `dist/`.
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: unknown };
      if (pkg.name === PACKAGE_NAME) {
        cached = dir;
        return dir;
      }
    }
    const parent = dirname(dir);
    // INVARIANT: this module ships inside the gatehouse-policy package, so the walk ends before `/`.
    if (parent === dir) throw new Error("gatehouse: cannot find the package root");
    dir = parent;
  }
}

/** Gatehouse's own version, from its package.json. */
export function gatehouseVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}
