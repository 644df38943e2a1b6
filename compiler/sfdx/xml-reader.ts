import { closeSync, openSync, readSync } from "node:fs";
import { SaxesParser } from "saxes";

/** The namespace of every Salesforce metadata file. */
export const METADATA_NAMESPACE = "http://soap.sforce.com/2006/04/metadata";

/** An element kept from a metadata file: its local name, text, children and the line it starts on. */
export interface XmlElement {
  readonly name: string;
  readonly line: number;
  text: string;
  readonly children: XmlElement[];
}

/** A metadata file read with the subtrees the caller asked for. */
export interface XmlDocument {
  readonly root: XmlElement;
  /** Top-level children that were skipped, by name, with how many of each. */
  readonly skipped: ReadonlyMap<string, number>;
}

/** Why a file could not be read as metadata XML. */
export interface XmlProblem {
  readonly line: number;
  readonly message: string;
}

/** Bytes read per step: memory stays bounded by this and the kept subtrees, whatever the file size. */
export const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a metadata XML file as a stream: the root element and, of its children, only those
 * `keep` accepts (with everything inside them); every other child is counted by name and never
 * held in memory, so a profile of tens of megabytes costs only its kept parts. Namespaces are
 * reduced to local names; the root must be in the metadata namespace.
 */
export function readMetadataXml(path: string, keep: (child: string) => boolean): XmlDocument | XmlProblem {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let skipDepth = 0;
  const skipped = new Map<string, number>();
  let problem: XmlProblem | undefined;

  parser.on("error", (error) => {
    problem ??= {
      line: parser.line,
      message: `malformed XML: ${error.message.replace(/^(?:[^:]*:)?\d+:\d+: /, "").replace(/\.$/, "")}`,
    };
  });
  parser.on("opentag", (tag) => {
    if (skipDepth > 0) {
      skipDepth++;
      return;
    }
    const element: XmlElement = { name: tag.local, line: parser.line, text: "", children: [] };
    if (stack.length === 0) {
      if (root !== undefined) return;
      if (tag.uri !== METADATA_NAMESPACE)
        problem ??= {
          line: parser.line,
          message: `root element \`${tag.local}\` is not in the metadata namespace \`${METADATA_NAMESPACE}\``,
        };
      root = element;
    } else if (stack.length === 1 && !keep(tag.local)) {
      skipped.set(tag.local, (skipped.get(tag.local) ?? 0) + 1);
      skipDepth = 1;
      return;
    } else {
      stack[stack.length - 1]!.children.push(element);
    }
    stack.push(element);
  });
  parser.on("closetag", () => {
    if (skipDepth > 0) {
      skipDepth--;
      return;
    }
    stack.pop();
  });
  const onText = (text: string): void => {
    if (skipDepth === 0 && stack.length > 1) stack[stack.length - 1]!.text += text;
  };
  parser.on("text", onText);
  parser.on("cdata", onText);

  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    return { line: 1, message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    const decoder = new TextDecoder("utf-8", { fatal: true });
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      parser.write(decoder.decode(buffer.subarray(0, n), { stream: true }));
      if (problem) break;
    }
    if (!problem) parser.write(decoder.decode()).close();
  } catch (error) {
    problem ??= {
      line: parser.line,
      message: error instanceof TypeError ? "the file is not valid UTF-8" : `cannot read the file: ${String(error)}`,
    };
  } finally {
    closeSync(fd);
  }
  if (problem) return problem;
  if (!root) return { line: 1, message: "the file has no root element" };
  return { root, skipped };
}

/** True when `value` is a problem rather than a document. */
export function isXmlProblem(value: XmlDocument | XmlProblem): value is XmlProblem {
  return "message" in value;
}

/** The children of `element` named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** The first child of `element` named `name`. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** The trimmed text of the first child named `name`, or undefined when there is none or it is empty. */
export function textOf(element: XmlElement, name: string): string | undefined {
  const text = child(element, name)?.text.trim();
  return text === undefined || text === "" ? undefined : text;
}
