import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, posix, relative, resolve, sep } from "node:path";
import type { Diagnostic, StageResult } from "../diagnostics/diagnostic.js";
import { compareText } from "../diagnostics/diagnostic.js";
import { CODES } from "../diagnostics/codes.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { diagnosticAt, parsePolicyFile, type BrokenDoc, type SourceDoc, type SourceFile } from "./yaml-document.js";

export type { BrokenDoc, SourceDoc, SourceFile } from "./yaml-document.js";

/** The largest policy file Gatehouse reads. */
export const MAX_POLICY_FILE_BYTES = 16 * 1024 * 1024;
/** The largest provider feed file Gatehouse reads. */
export const MAX_FEED_FILE_BYTES = 64 * 1024 * 1024;

/** A provider feed file referenced by a `Network`, read in full. */
export interface FeedFile {
  /** The path as written in the YAML, resolved against that file's directory, relative to the policy directory. */
  readonly relPath: string;
  readonly displayPath: string;
  readonly text: string;
  readonly sha256: string;
}

/** Everything `load` read: the policy files in deterministic order, their documents and the feeds. */
export interface SourceSet {
  /** The policy directory as the user gave it. */
  readonly displayDir: string;
  readonly files: readonly SourceFile[];
  readonly docs: readonly SourceDoc[];
  /** Documents and files that could not be read: what they declare is unknown, or only partly known. */
  readonly broken: readonly BrokenDoc[];
  /** Feeds by `relPath`. */
  readonly feeds: ReadonlyMap<string, FeedFile>;
  /** SHA-256 of every policy file's bytes, by `relPath`. */
  readonly fileHashes: ReadonlyMap<string, string>;
}

/** Where to load a policy set from. */
export interface LoadInput {
  readonly dir: string;
}

function toPosix(path: string): string {
  return path.split(sep).join(posix.sep);
}

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  ELOOP: "too many symbolic links",
  EMFILE: "too many open files",
};

/** Why a file could not be read, in words: `no such file or directory` rather than `ENOENT`. */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined ? String(error) : (ERRNO_WORDS[code] ?? code);
}

/** The line and column (1-based, in characters) of the first byte that is not UTF-8, and the byte. */
function firstInvalidUtf8(bytes: Uint8Array): { line: number; column: number; byte: number } {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const bad = text.indexOf("\uFFFD");
  // INVARIANT: called only for bytes the strict decoder rejected, so a replacement character exists
  // (or the bytes hold a literal U+FFFD, which then marks a position just as well).
  const before = text.slice(0, Math.max(0, bad));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  const offset = Buffer.byteLength(before, "utf8");
  return { line, column, byte: bytes[offset] ?? 0 };
}

function unreadable(displayPath: string, message: string): Diagnostic {
  return {
    code: "GH009",
    severity: CODES.GH009.severity,
    message,
    file: displayPath,
    pointer: "",
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
  };
}

/** Lists `*.yaml`/`*.yml` files under `root` at any depth, skipping dot-directories and symlinks. */
function listPolicyFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) found.push(toPosix(relative(root, full)));
    }
  };
  walk(root);
  return found.sort(compareText);
}

/** A `did you mean` hint naming a sibling directory close to a missing one, if there is one. */
function siblingHint(missing: string): string | undefined {
  try {
    const siblings = readdirSync(dirname(missing), { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => e.name);
    return didYouMean(basename(missing), siblings);
  } catch {
    return undefined;
  }
}

/** Up to three files (not `*.yaml`) found under `root`, to say what the directory holds instead. */
function otherFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (found.length >= 3 || entry.name.startsWith(".")) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) found.push(toPosix(relative(root, full)));
    }
  };
  try {
    walk(root);
  } catch {
    // What the directory holds is only a hint; an unreadable corner of it changes nothing.
  }
  return found.sort(compareText);
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Decodes UTF-8 strictly, or explains why the bytes are not text. */
function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Where a feed file is, as the manifest records it: relative to the policy directory (with `/`
 * separators, possibly starting with `../`), or absolute when the YAML wrote an absolute path.
 */
export function feedPath(docRelPath: string, file: string): string {
  return posix.isAbsolute(file) ? posix.normalize(file) : posix.normalize(posix.join(posix.dirname(docRelPath), file));
}

/** The feed files named by `Network` documents: `[doc, pointer, path as written]`. */
function feedReferences(docs: readonly SourceDoc[]): Array<{ doc: SourceDoc; pointer: string; file: string }> {
  const refs: Array<{ doc: SourceDoc; pointer: string; file: string }> = [];
  for (const doc of docs) {
    const value = doc.value as { kind?: unknown; ranges?: unknown } | null;
    if (!value || typeof value !== "object" || value.kind !== "Network" || !Array.isArray(value.ranges)) continue;
    value.ranges.forEach((entry: unknown, i: number) => {
      const feed = entry && typeof entry === "object" ? (entry as { feed?: unknown }).feed : undefined;
      const file = feed && typeof feed === "object" ? (feed as { file?: unknown }).file : undefined;
      if (typeof file === "string" && file.length > 0) refs.push({ doc, pointer: `/ranges/${i}/feed/file`, file });
    });
  }
  return refs;
}

/**
 * Reads every policy file under `input.dir` (any depth, sorted by path) and every provider feed
 * they name. The only stage that touches the file system for reading; it never throws for a
 * user's mistake, it reports.
 */
export function load(input: LoadInput): StageResult<SourceSet> {
  const diagnostics: Diagnostic[] = [];
  const root = resolve(input.dir);
  const displayDir = input.dir;
  let relPaths: string[];
  try {
    if (!statSync(root).isDirectory()) {
      return { diagnostics: [unreadable(displayDir, `\`${displayDir}\` is not a directory`)] };
    }
    relPaths = listPolicyFiles(root);
  } catch (error) {
    const d = unreadable(displayDir, `cannot read \`${displayDir}\`: ${readFailure(error)}`);
    const hint = (error as NodeJS.ErrnoException).code === "ENOENT" ? siblingHint(root) : undefined;
    return { diagnostics: [hint === undefined ? d : { ...d, hint }] };
  }
  if (relPaths.length === 0) {
    const others = otherFiles(root);
    const hint =
      others.length > 0
        ? `it holds ${others.map((f) => `\`${f}\``).join(", ")}; policies are read only from \`*.yaml\` and \`*.yml\` files`
        : "point the command at the directory that holds your declarations";
    return {
      diagnostics: [
        {
          ...unreadable(displayDir, `\`${displayDir}\` holds no \`*.yaml\` or \`*.yml\` files`),
          code: "GH008",
          hint,
        },
      ],
    };
  }
  const files: SourceFile[] = [];
  const docs: SourceDoc[] = [];
  const broken: BrokenDoc[] = [];
  const fileHashes = new Map<string, string>();
  for (const relPath of relPaths) {
    const displayPath = toPosix(join(displayDir, relPath));
    const full = join(root, relPath);
    let bytes: Uint8Array;
    try {
      const size = lstatSync(full).size;
      if (size > MAX_POLICY_FILE_BYTES) {
        diagnostics.push({
          ...unreadable(
            displayPath,
            `\`${displayPath}\` is ${size} bytes, over the ${MAX_POLICY_FILE_BYTES}-byte limit for a policy file`,
          ),
          code: "GH005",
        });
        broken.push({ file: displayPath });
        continue;
      }
      bytes = readFileSync(full);
    } catch (error) {
      diagnostics.push(unreadable(displayPath, `cannot read \`${displayPath}\`: ${readFailure(error)}`));
      broken.push({ file: displayPath });
      continue;
    }
    fileHashes.set(relPath, sha256(bytes));
    const text = decodeUtf8(bytes);
    if (text === undefined) {
      const at = firstInvalidUtf8(bytes);
      diagnostics.push({
        ...unreadable(
          displayPath,
          `\`${displayPath}\` is not UTF-8 text: byte 0x${at.byte.toString(16).toUpperCase().padStart(2, "0")} here is not valid UTF-8`,
        ),
        code: "GH006",
        line: at.line,
        column: at.column,
        endLine: at.line,
        endColumn: at.column + 1,
        hint: "save the file as UTF-8 (it looks like Latin-1 or another legacy encoding)",
      });
      broken.push({ file: displayPath });
      continue;
    }
    const parsed = parsePolicyFile(relPath, displayPath, text.replace(/^\uFEFF/, ""));
    files.push(parsed.file);
    docs.push(...parsed.docs);
    broken.push(...parsed.broken);
    diagnostics.push(...parsed.diagnostics);
  }
  const feeds = new Map<string, FeedFile>();
  for (const ref of feedReferences(docs)) {
    const relPath = feedPath(ref.doc.file.relPath, ref.file);
    if (feeds.has(relPath)) continue;
    const displayPath = toPosix(join(displayDir, relPath));
    const at = (message: string): Diagnostic => {
      // Looked up only for a diagnostic: the document's nodes may not have been parsed yet.
      const node = ref.doc.doc.getIn(ref.pointer.split("/").slice(1), true) as
        { range?: [number, number, number] } | undefined;
      return diagnosticAt(
        ref.doc.file,
        node?.range ? [node.range[0], node.range[1]] : undefined,
        "GH218",
        message,
        ref.pointer,
      );
    };
    try {
      const full = resolve(dirname(join(root, ref.doc.file.relPath)), ref.file);
      const size = statSync(full).size;
      if (size > MAX_FEED_FILE_BYTES) {
        diagnostics.push({
          ...at(`feed file \`${ref.file}\` is ${size} bytes, over the ${MAX_FEED_FILE_BYTES}-byte limit`),
          code: "GH005",
        });
        continue;
      }
      const bytes = readFileSync(full);
      const text = decodeUtf8(bytes);
      if (text === undefined) {
        diagnostics.push(at(`feed file \`${ref.file}\` is not valid UTF-8 text`));
        continue;
      }
      feeds.set(relPath, { relPath, displayPath, text, sha256: sha256(bytes) });
    } catch (error) {
      diagnostics.push(at(`cannot read feed file \`${ref.file}\`: ${readFailure(error)}`));
    }
  }
  return { value: { displayDir, files, docs, broken, feeds, fileHashes }, diagnostics };
}
