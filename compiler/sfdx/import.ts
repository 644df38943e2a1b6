import { compareText } from "../diagnostics/diagnostic.js";
import { importApps, assignableNames } from "./import-apps.js";
import { importGroups } from "./import-groups.js";
import { importPermissionSets, importProfiles, noteDuplicateHolders } from "./import-holders.js";
import { ImportNotes } from "./import-notes.js";
import { importOrg } from "./import-org.js";
import { renderYaml, type YamlDoc } from "./import-yaml.js";
import { readSource, type ImportNote, type MetadataSource } from "./read-source.js";

export type { ImportNote } from "./read-source.js";
export { layoutNeutral } from "./import-yaml.js";
export { OWNED_PERMISSIONS } from "./owned-permissions.js";

/** The files `importSfdx` writes, in order, and the kinds each holds. */
export const IMPORT_FILES = [
  "org.yaml",
  "profiles.yaml",
  "permission-sets.yaml",
  "permission-set-groups.yaml",
  "connected-apps.yaml",
] as const;

/** Options of `importSfdx`. */
export interface ImportOptions {
  /** The `Org` declaration's name. */
  readonly orgName: string;
  /** The path (relative to the output directory) of schemas/policy.schema.json, for editors. */
  readonly schemaPath?: string;
}

/** What an import produced: the YAML files (only when nothing was an error) and the report. */
export interface ImportResult {
  readonly files?: ReadonlyMap<string, string>;
  readonly notes: readonly ImportNote[];
}

/** A tree with no metadata Gatehouse reads is an error (unless another error already says why). */
function noteNothingFound(source: MetadataSource, dir: string, notes: ImportNotes): void {
  const nothing =
    source.apps.length + source.profiles.length + source.permissionSets.length + source.groups.length === 0 &&
    !source.security &&
    !source.appSettings;
  if (nothing && !notes.hasErrors())
    notes.addFile(
      "error",
      dir,
      "no connected app, External Client App, profile, permission set or settings metadata found",
    );
}

/**
 * Imports an SFDX source tree as Gatehouse YAML: the org settings, profiles, permission sets,
 * connected apps and External Client Apps, each document commented with the file and line it came
 * from. References are turned into names (permission-set labels, standard-profile display names);
 * what Gatehouse does not model is listed in the notes as ignored, with why; invalid values are
 * errors, never guessed, and then no files are produced.
 */
export function importSfdx(dir: string, options: ImportOptions): ImportResult {
  const source = readSource(dir);
  const notes = new ImportNotes(source.notes);
  noteNothingFound(source, dir, notes);
  noteDuplicateHolders(source.profiles, source.permissionSets, notes);
  const profiles = importProfiles(source.profiles, notes);
  const permissionSets = importPermissionSets(source.permissionSets, notes);
  const names = assignableNames(source.profiles, source.permissionSets);
  const groups = importGroups(source.groups, source.mutingSets, names.setNames, notes);
  const apps = importApps(source.apps, names, notes, dir);
  const org = importOrg(source, dir, options.orgName, notes);
  if (notes.hasErrors()) return { notes: notes.list };
  const byName = (a: YamlDoc, b: YamlDoc): number => compareText(a.name, b.name);
  const outputs: Array<[string, YamlDoc[]]> = [
    ["org.yaml", [org]],
    ["profiles.yaml", profiles.sort(byName)],
    ["permission-sets.yaml", permissionSets.sort(byName)],
    ["permission-set-groups.yaml", groups.sort(byName)],
    ["connected-apps.yaml", apps.sort(byName)],
  ];
  const files = new Map<string, string>();
  for (const [file, docs] of outputs) if (docs.length > 0) files.set(file, renderYaml(docs, options.schemaPath));
  return { files, notes: notes.list };
}
