import { compareText } from "../diagnostics/diagnostic.js";
import type { MetadataKind } from "./layout.js";
import type {
  ImportNote,
  Located,
  MetadataApp,
  MetadataPermissionHolder,
  MetadataRange,
  MetadataSource,
  SourceRef,
} from "./read-source.js";
import { childrenNamed, textOf, type XmlElement } from "./xml-reader.js";

/** One metadata file read: its root element, where it is, the name its file gives, what was skipped. */
export interface ReadFile {
  readonly kind: MetadataKind;
  readonly root: XmlElement;
  /** Relative to the SFDX directory. */
  readonly file: string;
  /** The metadata name, decoded from the file name. */
  readonly name: string;
  /** The root element's place. */
  readonly at: SourceRef;
  /** Children the streaming reader did not keep, by name, with how many. */
  readonly skipped: ReadonlyMap<string, number>;
}

/** What the readers of each metadata kind add to: the source being read, its notes and its External Client Apps. */
export class ReadContext {
  private readonly ecaByName = new Map<string, MetadataApp>();

  constructor(readonly source: MetadataSource) {}

  /** Adds a note to the import report. */
  note(n: ImportNote): void {
    this.source.notes.push(n);
  }

  /** Notes, as ignored, the children of `file` that Gatehouse does not model. */
  ignoredChildren(file: string, skipped: ReadonlyMap<string, number>, what: string): void {
    if (skipped.size === 0) return;
    const list = [...skipped]
      .sort((a, b) => compareText(a[0], b[0]))
      .map(([n, c]) => (c > 1 ? `\`${n}\` ×${c}` : `\`${n}\``));
    this.note({ level: "ignored", file, message: `${what}: ${list.join(", ")} (not modelled by Gatehouse)` });
  }

  /** The External Client App `name`, made at its first file; `at` is added to its files. */
  eca(name: string, at: SourceRef): MetadataApp {
    let app = this.ecaByName.get(name);
    if (!app) {
      app = {
        metadataType: "ExternalClientApplication",
        name,
        profiles: [],
        permissionSets: [],
        ranges: [],
        source: at,
        files: [],
      };
      this.ecaByName.set(name, app);
    }
    app.files.push(at);
    return app;
  }

  /** Every External Client App read, in the order first seen. */
  ecas(): MetadataApp[] {
    return [...this.ecaByName.values()];
  }
}

/** The address ranges among `parent`'s children, with the element names of their ends. */
export function ranges(parent: XmlElement, file: string, names: { start: string; end: string }): MetadataRange[] {
  return parent.children
    .filter((c) => c.name === "ipRanges" || c.name === "loginIpRanges" || c.name === "trustedIpRanges")
    .map((r) => {
      const description = textOf(r, "description");
      const range = {
        start: textOf(r, names.start) ?? "",
        end: textOf(r, names.end) ?? "",
        source: { file, line: r.line },
      };
      return description === undefined ? range : { ...range, description };
    });
}

/** The trimmed text of `element`'s child `name`, with its place. */
export function located(element: XmlElement | undefined, file: string, name: string): Located<string> | undefined {
  const found = element?.children.find((c) => c.name === name);
  if (!found) return undefined;
  return { value: found.text.trim(), source: { file, line: found.line } };
}

/** The trimmed text of every child `name` of `element`, each with its place. */
export function locatedAll(element: XmlElement, file: string, name: string): Array<Located<string>> {
  return childrenNamed(element, name).map((c) => ({ value: c.text.trim(), source: { file, line: c.line } }));
}

/** The user permissions of a profile or permission set. */
export function permissions(root: XmlElement, file: string): MetadataPermissionHolder["permissions"] {
  return childrenNamed(root, "userPermissions").map((p) => ({
    value: { name: textOf(p, "name") ?? "", enabled: textOf(p, "enabled") },
    source: { file, line: p.line },
  }));
}

/** The children of `element` not in `used`, by name, with how many. */
export function unusedChildren(element: XmlElement, used: ReadonlySet<string>): Map<string, number> {
  return countNames(element.children.filter((c) => !used.has(c.name)));
}

/** Elements by name, with how many. */
export function countNames(elements: readonly XmlElement[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of elements) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  return counts;
}

/** Sets `app[key]` when `value` was found. */
export function setFound<K extends keyof MetadataApp>(
  app: MetadataApp,
  key: K,
  value: MetadataApp[K] | undefined,
): void {
  if (value !== undefined) app[key] = value;
}
