import { isAlias, isMap, isPair, isScalar, isSeq, type Node as YamlNode } from "yaml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { diagnosticAt, type SourceDoc } from "../load/yaml-document.js";

/** Splits a JSON Pointer into unescaped reference tokens. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Renders a JSON Pointer as the dotted path an admin would recognise: `/ranges/2/start` → `ranges[2].start`. */
export function pointerToPath(pointer: string): string {
  let path = "";
  for (const token of pointerTokens(pointer)) {
    if (/^[0-9]+$/.test(token)) path += `[${token}]`;
    else path += path === "" ? token : `.${token}`;
  }
  return path;
}

interface Found {
  readonly node: YamlNode | undefined;
  readonly key: YamlNode | undefined;
  /** The deepest node reached when the full pointer does not resolve. */
  readonly nearest: YamlNode | undefined;
}

function deref(doc: SourceDoc, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc.doc) : node;
}

/** Finds the YAML node at `pointer` in `doc`, and the key node naming it when its parent is a mapping. */
export function findNode(doc: SourceDoc, pointer: string): Found {
  let node = deref(doc, doc.doc.contents) as YamlNode | undefined;
  let key: YamlNode | undefined;
  let nearest = node;
  for (const token of pointerTokens(pointer)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === token);
      if (!pair) return { node: undefined, key: undefined, nearest };
      key = pair.key as YamlNode;
      node = deref(doc, pair.value) as YamlNode | undefined;
    } else if (isSeq(node)) {
      const item = node.items[Number(token)];
      if (item === undefined) return { node: undefined, key: undefined, nearest };
      key = undefined;
      node = deref(doc, item) as YamlNode | undefined;
    } else {
      return { node: undefined, key: undefined, nearest };
    }
    if (node) nearest = node;
  }
  return { node, key, nearest };
}

function rangeOf(node: YamlNode | undefined): [number, number] | undefined {
  return node?.range ? [node.range[0], node.range[1]] : undefined;
}

/** Where in the document a diagnostic should point. */
export type Anchor = "value" | "key" | "first-line";

/**
 * The byte range in `doc`'s file that `pointer` should be shown at: its value, the key naming
 * it, or the first line of a mapping; a collection is shown by its first line. Falls back to the
 * nearest enclosing node, never to line 1.
 */
export function rangeAtPointer(
  doc: SourceDoc,
  pointer: string,
  anchor: Anchor = "value",
): [number, number] | undefined {
  const found = findNode(doc, pointer);
  let range: [number, number] | undefined;
  if (anchor === "key") range = rangeOf(found.key) ?? rangeOf(found.node);
  else range = rangeOf(found.node);
  if (anchor === "first-line" && found.node && isMap(found.node)) {
    const firstKey = found.node.items.find((p) => isPair(p))?.key as YamlNode | undefined;
    range = rangeOf(firstKey) ?? range;
  }
  if (isMap(found.node) || isSeq(found.node)) {
    // Point at where a collection begins rather than spanning all of it.
    const r = rangeOf(found.node);
    if (range && r && range[0] === r[0] && range[1] === r[1]) range = firstLineOf(doc, r);
  }
  return range ?? rangeOf(found.nearest) ?? rangeOf(doc.doc.contents as YamlNode | undefined);
}

/**
 * A diagnostic at the YAML node of `pointer` inside `doc`: its value, the key naming it, or the
 * first line of a mapping. Falls back to the nearest enclosing node, never to line 1.
 */
export function diagnosticAtPointer(
  doc: SourceDoc,
  pointer: string,
  code: DiagnosticCode,
  message: string,
  options: { anchor?: Anchor; hint?: string | undefined } = {},
): Diagnostic {
  return diagnosticAt(doc.file, rangeAtPointer(doc, pointer, options.anchor), code, message, pointer, options.hint);
}

function firstLineOf(doc: SourceDoc, range: [number, number]): [number, number] {
  const text = doc.file.text;
  const newline = text.indexOf("\n", range[0]);
  const end = newline < 0 || newline > range[1] ? range[1] : newline;
  return [range[0], Math.max(end, range[0] + 1)];
}

/** The 1-based line of the document's first key (its `kind`), which decisions cite. */
export function declarationLine(doc: SourceDoc): number {
  return doc.file.lines.linePos(doc.contentsStart).line;
}
