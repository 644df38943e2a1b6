import { join } from "node:path";
import { describeFound, importableNames, listTree, type Layout, type Listing, type MetadataKind } from "./layout.js";
import { decodeFileName } from "./names.js";
import {
  readConnectedApp,
  readEca,
  readEcaConfigurable,
  readEcaGlobal,
  readEcaPolicy,
  readEcaSettings,
} from "./read-apps.js";
import { ReadContext, type ReadFile } from "./read-context.js";
import { readGroup, readHolder, readMutingSet } from "./read-holders.js";
import { readAppSettings, readSecurity } from "./read-settings.js";
import { isXmlProblem, readMetadataXml } from "./xml-reader.js";

/** Where a value came from: a file relative to the SFDX directory, and a line. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

/** One entry of the import report. */
export interface ImportNote {
  /** `mapped`: became YAML; `ignored`: Gatehouse does not model it; `warning`: mapped with a caveat; `error`: cannot be imported. */
  readonly level: "mapped" | "ignored" | "warning" | "error";
  readonly file: string;
  readonly line?: number;
  /** One line, lowercase, metadata values in backticks. */
  readonly message: string;
}

/** A value read from XML, with where it was. */
export interface Located<T> {
  readonly value: T;
  readonly source: SourceRef;
}

/** A start–end address range as metadata stores it. */
export interface MetadataRange {
  readonly start: string;
  readonly end: string;
  readonly description?: string;
  readonly source: SourceRef;
}

/** What the importer reads of a connected app or an External Client App. */
export interface MetadataApp {
  readonly metadataType: "ConnectedApp" | "ExternalClientApplication";
  readonly name: string;
  label?: string;
  consumerKey?: string;
  adminApproved?: Located<string>;
  readonly profiles: Array<Located<string>>;
  readonly permissionSets: Array<Located<string>>;
  ipRelaxation?: Located<string>;
  ranges: MetadataRange[];
  sessionLevel?: Located<string>;
  policyAction?: Located<string>;
  clientCredentials?: Located<string>;
  runAsUser?: Located<string>;
  /** `isEnabled` / `isOauthPluginEnabled` of an External Client App's configurable policies. */
  enabled?: Located<string>;
  oauthEnabled?: Located<string>;
  source: SourceRef;
  /** Every file the app was read from, at its root element. */
  readonly files: SourceRef[];
}

/** What the importer reads of a profile or permission set. */
export interface MetadataPermissionHolder {
  readonly name: string;
  readonly label?: string;
  readonly userLicense?: string;
  /** True when the metadata says `custom` false: a Salesforce-managed standard profile. */
  readonly standard?: boolean;
  readonly permissions: Array<Located<{ name: string; enabled: string | undefined }>>;
  readonly ranges: MetadataRange[];
  readonly source: SourceRef;
}

/** What the importer reads of a permission set group. */
export interface MetadataGroup {
  readonly name: string;
  readonly label?: string;
  readonly permissionSets: Array<Located<string>>;
  readonly mutingPermissionSets: Array<Located<string>>;
  readonly source: SourceRef;
}

/** Everything read from an SFDX source tree. */
export interface MetadataSource {
  readonly apps: MetadataApp[];
  readonly profiles: MetadataPermissionHolder[];
  readonly permissionSets: MetadataPermissionHolder[];
  readonly groups: MetadataGroup[];
  /** Muting permission sets by name; `enabled` of a user permission means muted. */
  readonly mutingSets: MetadataPermissionHolder[];
  /** How many files of each layout were read. */
  readonly layouts: Record<Layout, number>;
  security?: {
    readonly trusted: MetadataRange[];
    readonly enforceEveryRequest?: Located<string>;
    readonly lockSessionsToIp?: Located<string>;
    readonly source: SourceRef;
  };
  appSettings?: {
    readonly allowlisted?: Located<string>;
    readonly external?: Located<string>;
    readonly source: SourceRef;
  };
  readonly notes: ImportNote[];
}

const APP_KEEP = new Set([
  "label",
  "oauthConfig",
  "oauthPolicy",
  "ipRanges",
  "permissionSetName",
  "profileName",
  "sessionPolicy",
]);
const PROFILE_KEEP = new Set(["loginIpRanges", "userLicense", "userPermissions", "label", "custom"]);

/** Which children of a file's root element the streaming reader keeps: profiles and apps are large. */
function keepFor(kind: MetadataKind): (child: string) => boolean {
  if (kind === "profile" || kind === "permissionSet" || kind === "mutingPermissionSet")
    return (n) => PROFILE_KEEP.has(n);
  if (kind === "connectedApp") return (n) => APP_KEEP.has(n);
  return () => true;
}

/** The reader of each kind of metadata file. */
const READERS: Record<MetadataKind, (read: ReadFile, ctx: ReadContext) => void> = {
  connectedApp: readConnectedApp,
  ecaPolicy: readEcaPolicy,
  ecaSettings: readEcaSettings,
  ecaGlobal: readEcaGlobal,
  eca: readEca,
  ecaConfigurable: readEcaConfigurable,
  permissionSetGroup: readGroup,
  mutingPermissionSet: readMutingSet,
  profile: readHolder,
  permissionSet: readHolder,
  security: readSecurity,
  appSettings: readAppSettings,
};

/** The layouts read, for the report. */
function layoutSummary(layouts: Record<Layout, number>): string {
  const parts = [
    layouts.source > 0 ? `${layouts.source} file(s) in the source format (\`*-meta.xml\`)` : "",
    layouts.mdapi > 0 ? `${layouts.mdapi} file(s) in the Metadata API layout` : "",
  ].filter((p) => p !== "");
  return `read ${parts.join(" and ")}`;
}

/** The files of the tree to read, or undefined when there are none (noted as an error). */
function listMetadata(dir: string, ctx: ReadContext): Listing["metadata"] | undefined {
  let listing: Listing;
  try {
    listing = listTree(dir);
  } catch (error) {
    ctx.note({
      level: "error",
      file: dir,
      message: `cannot read \`${dir}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    });
    return undefined;
  }
  for (const s of listing.skipped) ctx.note({ level: "ignored", file: s.file, message: s.reason });
  if (listing.metadata.length > 0) return listing.metadata;
  ctx.note({
    level: "error",
    file: dir,
    message: `nothing importable: found ${describeFound(listing.skipped)}; the importer reads ${importableNames()}`,
  });
  return undefined;
}

/** Reads one metadata file and hands it to the reader of its kind; a file that cannot be read is an error. */
function readFile(dir: string, { file, kind, base }: Listing["metadata"][number], ctx: ReadContext): void {
  const read = readMetadataXml(join(dir, file), keepFor(kind));
  if (isXmlProblem(read)) {
    ctx.note({ level: "error", file, line: read.line, message: read.message });
    return;
  }
  const name = decodeFileName(base);
  if (name === undefined) {
    ctx.note({ level: "error", file, message: `the file name is not a valid percent-encoded metadata name` });
    return;
  }
  const root = read.root;
  READERS[kind]({ kind, root, file, name, at: { file, line: root.line }, skipped: read.skipped }, ctx);
}

/**
 * Reads the metadata Gatehouse maps from an SFDX source tree: connected apps, External Client
 * App policy and settings files, profiles, permission sets, Security and ConnectedApp settings.
 * Profiles are streamed (only ranges, licence and user permissions are kept); element order
 * does not matter; unknown elements are counted in the notes and otherwise ignored.
 */
export function readSource(dir: string): MetadataSource {
  const source: MetadataSource = {
    apps: [],
    profiles: [],
    permissionSets: [],
    groups: [],
    mutingSets: [],
    layouts: { source: 0, mdapi: 0 },
    notes: [],
  };
  const ctx = new ReadContext(source);
  const metadata = listMetadata(dir, ctx);
  if (metadata === undefined) return source;
  for (const entry of metadata) {
    source.layouts[entry.layout]++;
    readFile(dir, entry, ctx);
  }
  source.apps.push(...ctx.ecas());
  ctx.note({ level: "mapped", file: dir, message: layoutSummary(source.layouts) });
  return source;
}
