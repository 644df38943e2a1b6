import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
} from "yaml";
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { CODES, type DiagnosticCode } from "../diagnostics/codes.js";

/** One policy file as read from disk. */
export interface SourceFile {
  /** Path relative to the policy directory, with `/` separators; what decisions cite. */
  readonly relPath: string;
  /** Path as the user would type it (the directory argument joined with `relPath`). */
  readonly displayPath: string;
  readonly text: string;
  readonly lines: LineCounter;
}

/** One YAML document of a policy file, with the JSON value it denotes. */
export interface SourceDoc {
  readonly file: SourceFile;
  /** 0-based index of the document in its file. */
  readonly index: number;
  readonly doc: Document.Parsed;
  /** The document as plain JSON data. INVARIANT: produced only when the document has no errors. */
  readonly value: unknown;
}

/** The deepest nesting any declaration needs, with generous room. */
export const MAX_DEPTH = 32;
/** Aliases a file may expand; enough for honest reuse, far below an alias bomb. */
export const MAX_ALIAS_COUNT = 100;

const PARSE_OPTIONS = {
  version: "1.2",
  schema: "core",
  uniqueKeys: true,
  merge: false,
  strict: true,
  prettyErrors: false,
  keepSourceTokens: false,
} as const;

/** The span of a byte range of `file`. */
export function spanOf(file: SourceFile, start: number, end: number): Span {
  const a = file.lines.linePos(start);
  const b = file.lines.linePos(Math.max(end, start));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/** A diagnostic at a byte range of `file`. */
export function diagnosticAt(
  file: SourceFile,
  range: readonly [number, number] | undefined,
  code: DiagnosticCode,
  message: string,
  pointer: string,
  hint?: string,
): Diagnostic {
  const [start, end] = range ?? [0, 0];
  const diagnostic: Diagnostic = {
    code,
    severity: CODES[code].severity,
    message,
    file: file.displayPath,
    pointer,
    ...spanOf(file, start, end),
  };
  return hint === undefined ? diagnostic : { ...diagnostic, hint };
}

const YAML_ERROR_CODES: Record<string, DiagnosticCode> = {
  DUPLICATE_KEY: "GH002",
  TAG_RESOLVE_FAILED: "GH003",
};

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** The span of the `!tag` written before a node's value (the node's own range starts after it). */
function tagRange(file: SourceFile, node: YamlNode): [number, number] | undefined {
  if (!node.range) return undefined;
  const start = node.range[0];
  const lineStart = file.text.lastIndexOf("\n", start - 1) + 1;
  let bang = file.text.lastIndexOf("!", start);
  if (bang < lineStart) return [node.range[0], node.range[1]];
  while (bang > lineStart && !/\s/.test(file.text[bang - 1]!)) bang--;
  const end = file.text.slice(bang).search(/\s/);
  return [bang, end < 0 ? file.text.length : bang + end];
}

/** Walks a document's nodes and reports tags, merge keys and excessive depth. */
function checkNodes(file: SourceFile, doc: Document.Parsed): Diagnostic[] {
  const found: Diagnostic[] = [];
  const visit = (node: unknown, depth: number, pointer: string): void => {
    if (found.length > 50) return;
    if (!node || isAlias(node)) return;
    const n = node as YamlNode;
    if (depth > MAX_DEPTH) {
      found.push(
        diagnosticAt(
          file,
          n.range ? [n.range[0], n.range[1]] : undefined,
          "GH007",
          `the document nests deeper than ${MAX_DEPTH} levels`,
          pointer,
        ),
      );
      return;
    }
    // INVARIANT: the parser sets `tag` only for tags written in the source; resolved ones stay unset.
    if (typeof n.tag === "string") {
      found.push(
        diagnosticAt(
          file,
          tagRange(file, n),
          "GH003",
          `explicit tag \`${n.tag}\` is not allowed`,
          pointer,
          "remove the tag; values are plain YAML strings, numbers, booleans, lists and mappings",
        ),
      );
    }
    if (isMap(n)) {
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const key = pair.key;
        const keyText = isScalar(key) ? String(key.value) : "";
        if (isScalar(key) && key.value === "<<" && key.type === "PLAIN") {
          found.push(
            diagnosticAt(
              file,
              key.range ? [key.range[0], key.range[1]] : undefined,
              "GH010",
              "merge key `<<` is not supported (it exists only in YAML 1.1)",
              pointer,
              "write the keys out in each mapping",
            ),
          );
        }
        visit(key, depth + 1, pointer);
        visit(pair.value, depth + 1, `${pointer}/${escapePointer(keyText)}`);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => visit(item, depth + 1, `${pointer}/${i}`));
    }
  };
  visit(doc.contents, 0, "");
  return found;
}

/** Escapes one JSON Pointer reference token (RFC 6901). */
export function escapePointer(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * Parses a policy file into its documents: YAML 1.2 core schema, unique keys, no merge keys,
 * no tags, bounded depth and alias expansion. Documents with errors are reported and dropped.
 */
export function parsePolicyFile(
  relPath: string,
  displayPath: string,
  text: string,
): { file: SourceFile; docs: SourceDoc[]; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const file: SourceFile = { relPath, displayPath, text, lines };
  const diagnostics: Diagnostic[] = [];
  const docs: SourceDoc[] = [];
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter: lines }) as Document.Parsed[];
  } catch (error) {
    // The parser guards its own recursion, but a pathological input must still not escape.
    diagnostics.push(
      diagnosticAt(
        file,
        [0, 0],
        "GH007",
        `the file could not be parsed: ${lowerFirst(String((error as Error).message ?? error))}`,
        "",
      ),
    );
    return { file, docs, diagnostics };
  }
  if (!Array.isArray(parsed)) parsed = [parsed];
  parsed.forEach((doc, index) => {
    const problems: Diagnostic[] = [];
    for (const e of [...doc.errors, ...doc.warnings]) {
      const code = YAML_ERROR_CODES[e.code] ?? (e.code === "RESOURCE_EXHAUSTION" ? "GH007" : "GH001");
      const message =
        e.code === "DUPLICATE_KEY"
          ? "duplicate key in mapping"
          : lowerFirst(e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""));
      problems.push(diagnosticAt(file, e.pos, code, message, ""));
    }
    if (problems.length === 0) problems.push(...checkNodes(file, doc));
    if (problems.length > 0) {
      diagnostics.push(...problems);
      return;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.source === "")) {
      // An empty document, such as after a trailing `---`, declares nothing.
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const message = String((error as Error).message ?? error);
      diagnostics.push(
        /alias/i.test(message)
          ? diagnosticAt(
              file,
              doc.contents.range ? [doc.contents.range[0], doc.contents.range[0]] : undefined,
              "GH004",
              `the document expands more than ${MAX_ALIAS_COUNT} aliases`,
              "",
              "write the values out, or use fewer aliases",
            )
          : diagnosticAt(
              file,
              doc.contents.range ? [doc.contents.range[0], doc.contents.range[0]] : undefined,
              "GH001",
              lowerFirst(message),
              "",
            ),
      );
      return;
    }
    docs.push({ file, index, doc, value });
  });
  return { file, docs, diagnostics };
}
