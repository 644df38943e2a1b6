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
import { fastRead } from "./fast-yaml.js";

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
  /**
   * The document as `yaml` parses it, for positions. Read from a fast-path file, the first access
   * parses the whole file with `yaml` (once); keep such reads to where a position is needed.
   */
  readonly doc: Document.Parsed;
  /** Offset of the document's contents in the file's text (`doc.contents.range[0]`, without parsing). */
  readonly contentsStart: number;
  /** The document as plain JSON data. INVARIANT: produced only when the document has no errors. */
  readonly value: unknown;
}

/**
 * A document dropped because it could not be read, with the `kind` and `name` it appears to
 * declare when the parser recovered them: later stages do not report references to it as unknown.
 */
export interface BrokenDoc {
  /** The file, as diagnostics name it. */
  readonly file: string;
  readonly kind?: string;
  readonly name?: string;
}

/** The deepest nesting any declaration needs, with generous room. */
export const MAX_DEPTH = 32;
/** Aliases a file may expand; enough for honest reuse, far below an alias bomb. */
export const MAX_ALIAS_COUNT = 100;
/**
 * Values that aliases may add to a document beyond those written out. Bounds the quadratic
 * case the alias count alone allows: a hundred aliases of one huge list.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

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

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/**
 * The span of the `!tag` written before a node's value (the node's own range starts after it):
 * the nearest of the (at most two) properties before the value — a tag and an anchor, in either
 * order — that starts with `!`, on the value's line or an earlier one (`key: !!set` with the
 * mapping on the next lines). Undefined when the node has no range.
 */
function tagRange(file: SourceFile, node: YamlNode): [number, number] | undefined {
  if (!node.range) return undefined;
  const text = file.text;
  let i = node.range[0] - 1;
  for (let property = 0; property < 2; property++) {
    while (i >= 0 && /\s/.test(text[i]!)) i--;
    const end = i + 1;
    while (i >= 0 && !/\s/.test(text[i]!)) i--;
    // In a flow collection the token may begin with `[`, `{` or `,` (`[!custom a`); a verbatim
    // tag (`!<tag:yaml.org,2002:str>`) may itself hold a comma.
    const token = text.slice(i + 1, end);
    const bang = /(?:^|[[{,])([!&])/.exec(token);
    if (!bang) break;
    const start = i + 1 + bang.index + bang[0].length - 1;
    if (bang[1] === "!") return [start, end];
    i = start - 1;
  }
  return [node.range[0], node.range[1]];
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
      const range = tagRange(file, n);
      found.push(tagDiagnostic(file, range, range ? file.text.slice(range[0], range[1]) : n.tag, pointer));
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

function tagDiagnostic(
  file: SourceFile,
  range: [number, number] | undefined,
  tag: string,
  pointer: string,
): Diagnostic {
  return diagnosticAt(
    file,
    range,
    "GH003",
    `explicit tag \`${tag}\` is not allowed`,
    pointer,
    "remove the tag; values are plain YAML strings, numbers, booleans, lists and mappings",
  );
}

/** The bracket that opens the flow collection a `BAD_INDENT` error at `pos` says is not closed. */
function unclosedFlowStart(text: string, from: number, pos: number, open: string, close: string): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  const opened: number[] = [];
  // Scan the document's text before `pos`, ignoring quoted text and comments.
  for (let i = from; i < pos; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\n") quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? pos : end;
    } else if (c === open) {
      opened.push(i);
      depth++;
    } else if (c === close && depth > 0) {
      opened.pop();
      depth--;
    }
  }
  return opened.at(-1);
}

/** A diagnostic for one error or warning the YAML parser reported. */
function parserDiagnostic(
  file: SourceFile,
  doc: Document.Parsed,
  e: { code: string; message: string; pos: [number, number] },
): Diagnostic {
  const first = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  const flow = /^Flow (sequence|map) in block collection/.exec(first);
  if (e.code === "BAD_INDENT" && flow) {
    const [open, close, what] = flow[1] === "sequence" ? ["[", "]", "list"] : ["{", "}", "mapping"];
    const at = unclosedFlowStart(file.text, doc.range[0], e.pos[0], open, close);
    if (at !== undefined) {
      return diagnosticAt(
        file,
        [at, at + 1],
        "GH001",
        `this \`${open}\` is never closed`,
        "",
        `add the closing \`${close}\`, or write the ${what} one item per line`,
      );
    }
  }
  if (e.code === "DUPLICATE_KEY") return duplicateKey(file, doc, e.pos);
  if (e.code === "TAG_RESOLVE_FAILED") {
    const end = file.text.slice(e.pos[0]).search(/[\s,\]}]/);
    const tagEnd = end < 0 ? file.text.length : e.pos[0] + end;
    return tagDiagnostic(file, [e.pos[0], tagEnd], file.text.slice(e.pos[0], tagEnd), "");
  }
  if (e.code === "TAB_AS_INDENT") {
    return diagnosticAt(
      file,
      e.pos,
      "GH001",
      lowerFirst(first),
      "",
      "indent with spaces; YAML does not allow tabs there",
    );
  }
  if (e.code === "RESOURCE_EXHAUSTION") {
    return diagnosticAt(
      file,
      e.pos,
      "GH007",
      `the document nests too deeply to read (declarations need at most ${MAX_DEPTH} levels)`,
      "",
    );
  }
  return diagnosticAt(file, e.pos, "GH001", lowerFirst(first), "");
}

/** The second of two equal keys, named, with the first as a related location. */
function duplicateKey(file: SourceFile, doc: Document.Parsed, pos: [number, number]): Diagnostic {
  let found: { key: YamlNode; first: YamlNode; pointer: string } | undefined;
  const visit = (node: unknown, pointer: string, depth: number): void => {
    if (found || !node || depth > MAX_DEPTH) return;
    if (isMap(node)) {
      const seen = new Map<string, YamlNode>();
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        const text = isScalar(key) ? String(key.value) : undefined;
        if (key && text !== undefined) {
          const earlier = seen.get(text);
          if (earlier && key.range?.[0] === pos[0]) {
            found = { key, first: earlier, pointer: `${pointer}/${escapePointer(text)}` };
            return;
          }
          if (!earlier) seen.set(text, key);
        }
        visit(pair.value, `${pointer}/${escapePointer(text ?? "")}`, depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, `${pointer}/${i}`, depth + 1));
    }
  };
  visit(doc.contents, "", 0);
  if (!found?.key.range || !found.first.range) {
    return diagnosticAt(file, pos, "GH002", "duplicate key in mapping", "", "keep exactly one of the keys");
  }
  const name = String((found.key as unknown as { value: unknown }).value);
  const first = spanOf(file, found.first.range[0], found.first.range[1]);
  return {
    ...diagnosticAt(
      file,
      [found.key.range[0], found.key.range[1]],
      "GH002",
      `key \`${name}\` appears twice in the same mapping`,
      found.pointer,
      "YAML parsers disagree on which value wins; keep exactly one",
    ),
    related: [{ file: file.displayPath, message: "first written here", ...first }],
  };
}

/**
 * How many values a document holds once its aliases are expanded, and how many are written
 * out, computed without expanding anything (each anchored node is sized once). An alias that
 * refers to a node containing itself counts as infinitely large.
 */
function aliasExpansion(doc: Document.Parsed): { written: number; expanded: number; firstAlias?: YamlNode } {
  const sizes = new Map<unknown, number>();
  const visiting = new Set<unknown>();
  let written = 0;
  let firstAlias: YamlNode | undefined;
  const size = (node: unknown, counting: boolean): number => {
    if (!node) return 0;
    if (isAlias(node)) {
      if (counting) {
        written++;
        firstAlias ??= node as unknown as YamlNode;
      }
      return size(node.resolve(doc), false);
    }
    if (counting) written++;
    const known = sizes.get(node);
    if (known !== undefined && !counting) return known;
    if (visiting.has(node)) return Number.POSITIVE_INFINITY;
    visiting.add(node);
    let n = 1;
    if (isMap(node)) for (const pair of node.items) n += size(pair.key, counting) + size(pair.value, counting);
    else if (isSeq(node)) for (const item of node.items) n += size(item, counting);
    visiting.delete(node);
    sizes.set(node, n);
    return n;
  };
  const expanded = size(doc.contents, true);
  return firstAlias === undefined ? { written, expanded } : { written, expanded, firstAlias };
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
): { file: SourceFile; docs: SourceDoc[]; broken: BrokenDoc[]; diagnostics: Diagnostic[] } {
  const fast = fastRead(text);
  if (fast) {
    const file: SourceFile = { relPath, displayPath, text, lines: fast.lines };
    let parsed: Document.Parsed[] | undefined;
    // The same call as below, without a line counter: `fast.lines` already holds the line starts.
    const full = (): Document.Parsed[] => (parsed ??= parseAllDocuments(text, PARSE_OPTIONS) as Document.Parsed[]);
    const docs = fast.docs.map(({ index, value, contentsStart }): SourceDoc => ({
      file,
      index,
      get doc() {
        return full()[index]!;
      },
      contentsStart,
      value,
    }));
    return { file, docs, broken: [], diagnostics: [] };
  }
  return parseWithYaml(relPath, displayPath, text);
}

/** `parsePolicyFile` with the `yaml` package alone: the reference reading, and the one that reports. */
export function parseWithYaml(
  relPath: string,
  displayPath: string,
  text: string,
): { file: SourceFile; docs: SourceDoc[]; broken: BrokenDoc[]; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const file: SourceFile = { relPath, displayPath, text, lines };
  const diagnostics: Diagnostic[] = [];
  const docs: SourceDoc[] = [];
  const broken: BrokenDoc[] = [];
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
    return { file, docs, broken: [{ file: displayPath }], diagnostics };
  }
  if (!Array.isArray(parsed)) parsed = [parsed];
  parsed.forEach((doc, index) => {
    const problems: Diagnostic[] = [];
    for (const e of [...doc.errors, ...doc.warnings]) {
      // Running out of depth is reported once per document, not at every level that gave up.
      if (e.code === "RESOURCE_EXHAUSTION" && problems.some((d) => d.code === "GH007")) continue;
      problems.push(parserDiagnostic(file, doc, e));
    }
    const nodes = checkNodes(file, doc);
    if (problems.length === 0) problems.push(...nodes);
    else {
      // Every tag is reported, also in a document the parser found other problems in.
      const reported = new Set(problems.filter((d) => d.code === "GH003").map((d) => `${d.line}:${d.column}`));
      problems.push(...nodes.filter((d) => d.code === "GH003" && !reported.has(`${d.line}:${d.column}`)));
      problems.sort((a, b) => a.line - b.line || a.column - b.column);
    }
    if (problems.length > 0) {
      diagnostics.push(...problems);
      broken.push(brokenDoc(file, doc));
      return;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.source === "")) {
      // An empty document, such as after a trailing `---`, declares nothing.
      return;
    }
    const expansion = aliasExpansion(doc);
    if (expansion.expanded - expansion.written > MAX_ALIAS_EXPANSION) {
      const alias = expansion.firstAlias?.range;
      broken.push(brokenDoc(file, doc));
      diagnostics.push(
        diagnosticAt(
          file,
          alias ? [alias[0], alias[1]] : undefined,
          "GH004",
          Number.isFinite(expansion.expanded)
            ? `the document's aliases expand to ${expansion.expanded - expansion.written} more values than are written, over the limit of ${MAX_ALIAS_EXPANSION}`
            : "an alias in the document refers to a node that contains it",
          "",
          "write the values out, or use fewer aliases",
        ),
      );
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const message = String((error as Error).message ?? error);
      broken.push(brokenDoc(file, doc));
      diagnostics.push(
        /alias/i.test(message)
          ? diagnosticAt(
              file,
              expansion.firstAlias?.range ? [expansion.firstAlias.range[0], expansion.firstAlias.range[1]] : undefined,
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
    docs.push({ file, index, doc, contentsStart: doc.contents.range?.[0] ?? 0, value });
  });
  return { file, docs, broken, diagnostics };
}

/** What a document that failed to parse appears to declare, as far as the parser recovered it. */
function brokenDoc(file: SourceFile, doc: Document.Parsed): BrokenDoc {
  const text = (key: string): string | undefined => {
    if (!isMap(doc.contents)) return undefined;
    const value = doc.contents.get(key, true);
    return isScalar(value) && typeof value.value === "string" ? value.value : undefined;
  };
  const kind = text("kind");
  const name = text("name");
  return { file: file.displayPath, ...(kind === undefined ? {} : { kind }), ...(name === undefined ? {} : { name }) };
}
