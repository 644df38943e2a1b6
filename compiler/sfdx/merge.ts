/**
 * Merges the elements Gatehouse owns into an existing metadata file, byte for byte: every other
 * element, comment, attribute and whitespace stays exactly as retrieved. Elements are located
 * with a streaming XML parser (saxes) and edited as spans of the original text; a value that is
 * already right is not touched, so merging an unchanged policy changes nothing at all.
 */
import { SaxesParser } from "saxes";
import { formatAddress, parseAddress } from "../../core/address.js";
import { compareText } from "../diagnostics/diagnostic.js";

/** An element of the original text: its name, where it starts and ends, and its children. */
export interface Span {
  readonly name: string;
  /** Offset of `<` of the start tag. */
  readonly start: number;
  /** Offset just after the end tag (or after `/>`). */
  end: number;
  /** Offset just after the start tag's `>`. */
  readonly innerStart: number;
  /** Offset of `<` of the end tag. */
  innerEnd: number;
  text: string;
  readonly children: Span[];
}

/** Parses `xml` into spans of the root element and its descendants; undefined when malformed. */
export function parseSpans(xml: string): Span | undefined {
  const parser = new SaxesParser({ position: true });
  const stack: Span[] = [];
  let root: Span | undefined;
  let failed = false;
  parser.on("error", () => {
    failed = true;
  });
  parser.on("opentag", (tag) => {
    const after = parser.position;
    const start = xml.lastIndexOf("<", after - 1);
    const span: Span = {
      name: tag.name,
      start,
      end: after,
      innerStart: after,
      innerEnd: after,
      text: "",
      children: [],
    };
    if (stack.length === 0) root ??= span;
    else stack[stack.length - 1]!.children.push(span);
    if (tag.isSelfClosing) return;
    stack.push(span);
  });
  parser.on("closetag", (tag) => {
    if (tag.isSelfClosing) return;
    const span = stack.pop();
    if (!span) return;
    span.end = parser.position;
    span.innerEnd = xml.lastIndexOf("<", parser.position - 1);
  });
  parser.on("text", (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  try {
    parser.write(xml).close();
  } catch {
    return undefined;
  }
  return failed ? undefined : root;
}

/** A desired element: its name and its children (text values, in the order written). */
export interface Item {
  readonly name: string;
  readonly children: ReadonlyArray<readonly [string, string]>;
  /** The element's text, for an element without children. */
  readonly text?: string;
  /** Nested elements, written after `children`. */
  readonly nested?: readonly Item[];
}

/** One edit of the original text. */
interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const ADDRESS_FIELDS = new Set(["start", "end", "startAddress", "endAddress", "startIpAddress", "endIpAddress"]);

function normalized(field: string, value: string): string {
  const v = value.trim();
  if (!ADDRESS_FIELDS.has(field)) return v;
  const parsed = parseAddress(v);
  return parsed.ok ? formatAddress(parsed.value.family, parsed.value.value) : v;
}

/** A comparable key of an element's children, independent of order, layout and address spelling. */
function keyOfSpan(span: Span): string {
  if (span.children.length === 0) return `#text=${span.text.trim()}`;
  return span.children
    .map((c) => `${c.name}=${normalized(c.name, c.text)}`)
    .sort(compareText)
    .join("\u0000");
}

function keyOfItem(item: Item): string {
  if (item.text !== undefined) return `#text=${item.text.trim()}`;
  return item.children
    .map(([n, v]) => `${n}=${normalized(n, v)}`)
    .sort(compareText)
    .join("\u0000");
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The start of the line `offset` is on. */
function lineStart(xml: string, offset: number): number {
  return xml.lastIndexOf("\n", offset - 1) + 1;
}

/** The indentation of the line an element starts on, when only whitespace precedes it there. */
function indentOf(xml: string, span: Span): string {
  const before = xml.slice(lineStart(xml, span.start), span.start);
  return /^[ \t]*$/.test(before) ? before : "";
}

/** The unit of indentation the file uses (the root's first child's), default four spaces. */
function indentUnit(xml: string, root: Span): string {
  const first = root.children[0];
  const unit = first ? indentOf(xml, first) : "";
  return unit === "" ? "    " : unit;
}

function renderItem(item: Item, indent: string, unit: string): string {
  if (item.text !== undefined) return `${indent}<${item.name}>${escapeXml(item.text)}</${item.name}>\n`;
  const inner = item.children.map(([n, v]) => `${indent}${unit}<${n}>${escapeXml(v)}</${n}>\n`).join("");
  const nested = (item.nested ?? []).map((i) => renderItem(i, indent + unit, unit)).join("");
  return `${indent}<${item.name}>\n${inner}${nested}${indent}</${item.name}>\n`;
}

/** Edits that collect changes to one file's text; `apply` writes them. */
export class Merger {
  private readonly edits: Edit[] = [];
  readonly unit: string;

  constructor(
    readonly xml: string,
    readonly root: Span,
  ) {
    this.unit = indentUnit(xml, root);
  }

  /** The number of element-level changes made. */
  get changes(): number {
    return this.edits.length;
  }

  /** The child of `parent` named `name`, if any. */
  child(parent: Span, name: string): Span | undefined {
    return parent.children.find((c) => c.name === name);
  }

  private depthIndent(parent: Span): string {
    return parent === this.root ? this.unit : indentOf(this.xml, parent) + this.unit;
  }

  /** Where a new child named `name` goes: before the first sibling that sorts after it (retrieve order). */
  private insertionPoint(parent: Span, name: string): number {
    const after = parent.children.find((c) => compareText(c.name, name) > 0);
    if (after) return lineStart(this.xml, after.start);
    const close = lineStart(this.xml, parent.innerEnd);
    return this.closesOnOwnLine(parent) ? close : parent.innerEnd;
  }

  /** True when only indentation precedes the parent's end tag on its line. */
  private closesOnOwnLine(parent: Span): boolean {
    const close = lineStart(this.xml, parent.innerEnd);
    return close > parent.innerStart && /^[ \t]*$/.test(this.xml.slice(close, parent.innerEnd));
  }

  /** `text` (whole lines) placed at `at`: on a line of its own when it goes right before an end tag on the same line. */
  private placed(parent: Span, at: number, text: string): string {
    return at === parent.innerEnd && !this.closesOnOwnLine(parent) ? `\n${text}${indentOf(this.xml, parent)}` : text;
  }

  private removeWhole(span: Span): void {
    const from = lineStart(this.xml, span.start);
    const onlyIndent = /^[ \t]*$/.test(this.xml.slice(from, span.start));
    const to = this.xml[span.end] === "\n" ? span.end + 1 : span.end;
    this.edits.push({ start: onlyIndent ? from : span.start, end: onlyIndent ? to : span.end, text: "" });
  }

  /** Sets the text of `parent`'s child `name` to `value`, inserting it when absent. */
  setText(parent: Span, name: string, value: string): void {
    const existing = this.child(parent, name);
    if (existing) {
      if (existing.text.trim() === value) return;
      this.edits.push({ start: existing.innerStart, end: existing.innerEnd, text: escapeXml(value) });
      return;
    }
    const at = this.insertionPoint(parent, name);
    const indent = this.depthIndent(parent);
    const text = `${indent}<${name}>${escapeXml(value)}</${name}>\n`;
    this.edits.push({
      start: at,
      end: at,
      text: this.placed(parent, at, text),
    });
  }

  /** Removes `parent`'s children named `name`. */
  remove(parent: Span, name: string): void {
    for (const c of parent.children.filter((x) => x.name === name)) this.removeWhole(c);
  }

  /**
   * Makes `parent`'s children named `name` (those `owns` accepts) hold exactly `items`: an element
   * already equal to a desired one stays untouched, the others are removed, and each missing one is
   * inserted where the first removed one was (or after the last kept one, or in retrieve order).
   */
  syncList(parent: Span, name: string, items: readonly Item[], owns: (s: Span) => boolean = () => true): void {
    const existing = parent.children.filter((c) => c.name === name && owns(c));
    const wanted = new Map(items.map((i) => [keyOfItem(i), i]));
    const kept = new Set<string>();
    let firstRemoved: number | undefined;
    for (const span of existing) {
      const key = keyOfSpan(span);
      if (wanted.has(key) && !kept.has(key)) {
        kept.add(key);
        continue;
      }
      firstRemoved ??= lineStart(this.xml, span.start);
      this.removeWhole(span);
    }
    const missing = items.filter((i) => !kept.has(keyOfItem(i)));
    if (missing.length === 0) return;
    const last = existing[existing.length - 1];
    const at =
      firstRemoved ??
      (last ? (this.xml[last.end] === "\n" ? last.end + 1 : last.end) : this.insertionPoint(parent, name));
    const indent = this.depthIndent(parent);
    const text = missing.map((i) => renderItem(i, indent, this.unit)).join("");
    this.edits.push({
      start: at,
      end: at,
      text: this.placed(parent, at, text),
    });
  }

  /** The merged text. */
  apply(): string {
    let out = this.xml;
    const sorted = [...this.edits].sort((a, b) => b.start - a.start || b.end - a.end);
    for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
    return out;
  }
}
