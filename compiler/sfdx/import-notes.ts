import { isStrictAddress } from "../../core/address.js";
import type { Permission } from "../../core/model.generated.js";
import { compareText } from "../diagnostics/diagnostic.js";
import type { Json } from "./import-yaml.js";
import { isOwnedPermission, OWNED_PERMISSIONS } from "./owned-permissions.js";
import type { ImportNote, Located, MetadataPermissionHolder, MetadataRange, SourceRef } from "./read-source.js";

/**
 * The import report being written, and the readers of metadata values that report what they
 * cannot read: each returns undefined or leaves the value out rather than guess.
 */
export class ImportNotes {
  readonly list: ImportNote[];

  constructor(initial: readonly ImportNote[]) {
    this.list = [...initial];
  }

  /** Adds a note about the value at `at`. */
  add(level: ImportNote["level"], at: SourceRef, message: string): void {
    this.list.push({ level, file: at.file, line: at.line, message });
  }

  /** Adds a note about a whole file or directory. */
  addFile(level: ImportNote["level"], file: string, message: string): void {
    this.list.push({ level, file, message });
  }

  /** Whether any note is an error, so no files are produced. */
  hasErrors(): boolean {
    return this.list.some((n) => n.level === "error");
  }

  /** A metadata boolean; anything but `true` or `false` is an error. */
  bool(l: Located<string> | undefined, what: string): boolean | undefined {
    if (l === undefined) return undefined;
    if (l.value === "true") return true;
    if (l.value === "false") return false;
    this.add("error", l.source, `${what} is \`${l.value}\`, not \`true\` or \`false\``);
    return undefined;
  }

  /** Address ranges as YAML entries; a range with a missing or malformed address is an error. */
  ranges(list: readonly MetadataRange[], what: string): Json[] {
    return list.flatMap((r) => {
      const bad = [r.start, r.end].filter((a) => !isStrictAddress(a));
      if (bad.length > 0) {
        this.add(
          "error",
          r.source,
          `${what} has a range whose ${bad.map((a) => (a === "" ? "address is missing" : `\`${a}\` is not an address`)).join(" and ")}`,
        );
        return [];
      }
      return [{ start: r.start, end: r.end, ...(r.description === undefined ? {} : { description: r.description }) }];
    });
  }

  /** The enabled permissions Gatehouse evaluates; the other enabled ones are noted as ignored. */
  permissions(holder: MetadataPermissionHolder, what: string): Permission[] {
    const granted = new Set<Permission>();
    const others = new Set<string>();
    for (const p of holder.permissions) {
      const enabled = this.bool(
        p.value.enabled === undefined ? undefined : { value: p.value.enabled, source: p.source },
        `\`${p.value.name}\` of ${what}`,
      );
      if (!isOwnedPermission(p.value.name)) {
        if (enabled) others.add(p.value.name);
        continue;
      }
      if (enabled) granted.add(p.value.name);
    }
    if (others.size > 0) this.add("ignored", holder.source, `${what}: ${othersSentence(others)}`);
    return OWNED_PERMISSIONS.filter((p) => granted.has(p));
  }
}

/** How many user permissions Gatehouse does not evaluate, naming the first five. */
function othersSentence(others: ReadonlySet<string>): string {
  const named = [...others]
    .sort(compareText)
    .slice(0, 5)
    .map((n) => `\`${n}\``)
    .join(", ");
  return `${others.size} user permission${others.size === 1 ? "" : "s"} Gatehouse does not evaluate (${named}${others.size > 5 ? ", …" : ""})`;
}
