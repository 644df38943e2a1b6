/**
 * The two layouts of Salesforce metadata on disk: the source format (`force-app/**` with
 * `*.profile-meta.xml`) and the Metadata API layout (`src/` with `package.xml` and
 * `*.profile`). Both hold the same XML; only file names differ. This module finds every file
 * under a directory, says which metadata type each holds in which layout, honours the project's
 * `.forceignore`, and accounts for everything it does not read.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import ignore, { type Ignore } from "ignore";
import { compareText } from "../diagnostics/diagnostic.js";

/** The metadata types the importer reads. */
export type MetadataKind =
  | "connectedApp"
  | "profile"
  | "permissionSet"
  | "permissionSetGroup"
  | "mutingPermissionSet"
  | "ecaPolicy"
  | "ecaSettings"
  | "ecaGlobal"
  | "ecaConfigurable"
  | "eca"
  | "security"
  | "appSettings";

/** How each read type is named: its Metadata API type and its suffix in each layout. */
export const METADATA_TYPES: ReadonlyArray<{
  readonly kind: MetadataKind;
  readonly type: string;
  /** The Metadata API suffix; the source format adds `-meta.xml`. */
  readonly suffix: string;
  /** For settings: the one base name read (`Security`), since every settings type shares the suffix. */
  readonly base?: string;
}> = [
  { kind: "connectedApp", type: "ConnectedApp", suffix: ".connectedApp" },
  { kind: "profile", type: "Profile", suffix: ".profile" },
  { kind: "permissionSet", type: "PermissionSet", suffix: ".permissionset" },
  { kind: "permissionSetGroup", type: "PermissionSetGroup", suffix: ".permissionsetgroup" },
  { kind: "mutingPermissionSet", type: "MutingPermissionSet", suffix: ".mutingpermissionset" },
  { kind: "ecaPolicy", type: "ExtlClntAppOauthConfigurablePolicies", suffix: ".ecaOauthPlcy" },
  { kind: "ecaSettings", type: "ExtlClntAppOauthSettings", suffix: ".ecaOauth" },
  { kind: "ecaGlobal", type: "ExtlClntAppGlobalOauthSettings", suffix: ".ecaGlblOauth" },
  { kind: "ecaConfigurable", type: "ExtlClntAppConfigurablePolicies", suffix: ".ecaPlcy" },
  { kind: "eca", type: "ExternalClientApplication", suffix: ".eca" },
  { kind: "security", type: "SecuritySettings", suffix: ".settings", base: "Security" },
  { kind: "appSettings", type: "ConnectedAppSettings", suffix: ".settings", base: "ConnectedApp" },
];

/** The layout a metadata file is in. */
export type Layout = "source" | "mdapi";

/** A file of a type the importer reads. */
export interface MetadataFile {
  readonly file: string;
  readonly kind: MetadataKind;
  readonly layout: Layout;
  /** The file's base name without its suffix (still percent-encoded). */
  readonly base: string;
}

/** A file or directory the importer does not read, and why. */
export interface SkippedPath {
  readonly file: string;
  readonly reason: string;
}

/** Everything under a directory, sorted: what is read and what is not. */
export interface Listing {
  readonly metadata: readonly MetadataFile[];
  readonly skipped: readonly SkippedPath[];
}

/** The source-format suffix of a type (`.profile` → `.profile-meta.xml`). */
export function sourceSuffix(suffix: string): string {
  return `${suffix}-meta.xml`;
}

/** Which type and layout a file name holds, if the importer reads it. */
export function classify(file: string): Omit<MetadataFile, "file"> | undefined {
  const name = posix.basename(file);
  for (const t of METADATA_TYPES) {
    for (const [layout, suffix] of [
      ["source", sourceSuffix(t.suffix)],
      ["mdapi", t.suffix],
    ] as const) {
      if (!name.endsWith(suffix) || name.length === suffix.length) continue;
      const base = name.slice(0, -suffix.length);
      if (t.base !== undefined && base !== t.base) continue;
      return { kind: t.kind, layout, base };
    }
  }
  return undefined;
}

/** Why a file the importer does not read is left alone. */
function reasonFor(file: string): string {
  const name = posix.basename(file);
  if (name === "package.xml") return "Metadata API package manifest (lists components; the files themselves are read)";
  if (name === "sfdx-project.json" || name === ".forceignore") return "project configuration, not metadata";
  const settings = /^(.+)\.settings(-meta\.xml)?$/.exec(name);
  if (settings) return `\`${settings[1]}\` settings do not affect who may call the API from where`;
  const meta = /\.([A-Za-z]+)-meta\.xml$/.exec(name);
  if (meta) return `metadata type \`${meta[1]}\` is not modelled by Gatehouse (it does not grant API access)`;
  return "not a metadata file Gatehouse models";
}

/** The nearest directory at or above `dir` holding `sfdx-project.json`, if any. */
export function projectRoot(dir: string): string | undefined {
  let at = resolve(dir);
  for (;;) {
    if (existsSync(join(at, "sfdx-project.json"))) return at;
    const up = dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

/** The project's `.forceignore` (at its root, or in `dir`), with the directory its patterns are relative to. */
function forceIgnore(dir: string): { rules: Ignore; base: string; file: string } | undefined {
  for (const base of [projectRoot(dir), resolve(dir)]) {
    if (base === undefined) continue;
    const file = join(base, ".forceignore");
    if (!existsSync(file)) continue;
    return { rules: ignore().add(readFileSync(file, "utf8")), base, file };
  }
  return undefined;
}

/**
 * Lists every file under `root`, relative with `/`, sorted: the metadata files the importer
 * reads, and every other file or directory with the reason it is not read (hidden directories
 * and `node_modules` once each, files the project's `.forceignore` excludes, types Gatehouse
 * does not model). Nothing is left out silently. Throws only when `root` cannot be read.
 */
export function listTree(root: string): Listing {
  const metadata: MetadataFile[] = [];
  const skipped: SkippedPath[] = [];
  const ignored = forceIgnore(root);
  const forceIgnored = (full: string, isDir: boolean): boolean => {
    if (!ignored) return false;
    const rel = relative(ignored.base, full).split(sep).join(posix.sep);
    if (rel === "" || rel.startsWith("..")) return false;
    return ignored.rules.ignores(isDir ? `${rel}/` : rel);
  };
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareText(a.name, b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join(posix.sep);
      const isDir = entry.isDirectory();
      if (isDir && (entry.name.startsWith(".") || entry.name === "node_modules")) {
        skipped.push({ file: `${rel}/`, reason: "tool or version-control directory, not metadata" });
        continue;
      }
      if (forceIgnored(full, isDir)) {
        skipped.push({ file: isDir ? `${rel}/` : rel, reason: "excluded by `.forceignore`" });
        continue;
      }
      if (isDir) walk(full);
      else if (entry.isFile()) {
        const found = classify(rel);
        if (found) metadata.push({ file: rel, ...found });
        else skipped.push({ file: rel, reason: reasonFor(rel) });
      } else {
        skipped.push({ file: rel, reason: "not a regular file" });
      }
    }
  };
  walk(root);
  const byFile = (a: { file: string }, b: { file: string }): number => compareText(a.file, b.file);
  return { metadata: metadata.sort(byFile), skipped: skipped.sort(byFile) };
}

/**
 * What a tree holds when nothing in it is importable, for the error message: the most common
 * kinds of file by directory (`12 \`*.cls\` files in \`force-app/main/default/classes\``).
 */
export function describeFound(skipped: readonly SkippedPath[], limit = 5): string {
  const counts = new Map<string, number>();
  for (const s of skipped) {
    if (s.file.endsWith("/")) continue;
    const name = posix.basename(s.file);
    const ext = /(\.[A-Za-z]+(?:-meta\.xml)?)$/.exec(name)?.[1] ?? name;
    const key = `${ext}\u0000${posix.dirname(s.file)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const top = [...counts]
    .sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))
    .slice(0, limit)
    .map(([key, n]) => {
      const [ext, dir] = key.split("\u0000") as [string, string];
      return `${n} \`*${ext}\` file${n === 1 ? "" : "s"} in \`${dir}\``;
    });
  return top.length === 0 ? "no files" : top.join(", ");
}

/** The file names the importer reads, for the error message. */
export function importableNames(): string {
  const names = METADATA_TYPES.map((t) => `\`${t.base ?? "*"}${t.suffix}\``);
  return `${[...new Set(names)].join(", ")} (Metadata API layout) or the same names ending \`-meta.xml\` (source format)`;
}
