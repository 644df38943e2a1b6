import { join } from "node:path";
import { compareText } from "../diagnostics/diagnostic.js";
import { describeFound, importableNames, listTree, type Layout, type Listing } from "./layout.js";
import { decodeFileName } from "./names.js";
import { childrenNamed, isXmlProblem, readMetadataXml, textOf, type XmlElement } from "./xml-reader.js";

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

function ranges(parent: XmlElement, file: string, names: { start: string; end: string }): MetadataRange[] {
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

function located(element: XmlElement | undefined, file: string, name: string): Located<string> | undefined {
  const found = element?.children.find((c) => c.name === name);
  if (!found) return undefined;
  return { value: found.text.trim(), source: { file, line: found.line } };
}

function permissions(root: XmlElement, file: string): MetadataPermissionHolder["permissions"] {
  return childrenNamed(root, "userPermissions").map((p) => ({
    value: { name: textOf(p, "name") ?? "", enabled: textOf(p, "enabled") },
    source: { file, line: p.line },
  }));
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

/** The layouts read, for the report. */
function layoutSummary(layouts: Record<Layout, number>): string {
  const parts = [
    layouts.source > 0 ? `${layouts.source} file(s) in the source format (\`*-meta.xml\`)` : "",
    layouts.mdapi > 0 ? `${layouts.mdapi} file(s) in the Metadata API layout` : "",
  ].filter((p) => p !== "");
  return `read ${parts.join(" and ")}`;
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
  const note = (n: ImportNote): void => {
    source.notes.push(n);
  };
  const ecaByName = new Map<string, MetadataApp>();
  const eca = (name: string, at: SourceRef): MetadataApp => {
    let app = ecaByName.get(name);
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
      ecaByName.set(name, app);
    }
    app.files.push(at);
    return app;
  };
  const ignoredChildren = (file: string, skipped: ReadonlyMap<string, number>, what: string): void => {
    if (skipped.size === 0) return;
    const list = [...skipped]
      .sort((a, b) => compareText(a[0], b[0]))
      .map(([n, c]) => (c > 1 ? `\`${n}\` ×${c}` : `\`${n}\``));
    note({ level: "ignored", file, message: `${what}: ${list.join(", ")} (not modelled by Gatehouse)` });
  };

  let listing: Listing;
  try {
    listing = listTree(dir);
  } catch (error) {
    note({
      level: "error",
      file: dir,
      message: `cannot read \`${dir}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    });
    return source;
  }
  for (const s of listing.skipped) note({ level: "ignored", file: s.file, message: s.reason });
  if (listing.metadata.length === 0) {
    note({
      level: "error",
      file: dir,
      message: `nothing importable: found ${describeFound(listing.skipped)}; the importer reads ${importableNames()}`,
    });
    return source;
  }
  for (const { file, kind, layout, base } of listing.metadata) {
    source.layouts[layout]++;
    const keep =
      kind === "profile" || kind === "permissionSet" || kind === "mutingPermissionSet"
        ? (n: string) => PROFILE_KEEP.has(n)
        : kind === "connectedApp"
          ? (n: string) => APP_KEEP.has(n)
          : () => true;
    const read = readMetadataXml(join(dir, file), keep);
    if (isXmlProblem(read)) {
      note({ level: "error", file, line: read.line, message: read.message });
      continue;
    }
    const root = read.root;
    const at = { file, line: root.line };
    const decoded = decodeFileName(base);
    if (decoded === undefined) {
      note({ level: "error", file, message: `the file name is not a valid percent-encoded metadata name` });
      continue;
    }
    const name = decoded;
    switch (kind) {
      case "connectedApp": {
        const config = root.children.find((c) => c.name === "oauthConfig");
        const policy = root.children.find((c) => c.name === "oauthPolicy");
        const session = root.children.find((c) => c.name === "sessionPolicy");
        const app: MetadataApp = {
          metadataType: "ConnectedApp",
          name,
          profiles: childrenNamed(root, "profileName").map((p) => ({
            value: p.text.trim(),
            source: { file, line: p.line },
          })),
          permissionSets: childrenNamed(root, "permissionSetName").map((p) => ({
            value: p.text.trim(),
            source: { file, line: p.line },
          })),
          ranges: ranges(root, file, { start: "start", end: "end" }),
          source: at,
          files: [at],
        };
        const label = textOf(root, "label");
        if (label !== undefined) app.label = label;
        const key = config && textOf(config, "consumerKey");
        if (key !== undefined) app.consumerKey = key;
        const set = <K extends keyof MetadataApp>(k: K, v: MetadataApp[K] | undefined): void => {
          if (v !== undefined) app[k] = v;
        };
        set("adminApproved", located(config, file, "isAdminApproved"));
        set("clientCredentials", located(config, file, "isClientCredentialEnabled"));
        set("runAsUser", located(config, file, "oauthClientCredentialUser"));
        set("ipRelaxation", located(policy, file, "ipRelaxation"));
        set("sessionLevel", located(session, file, "sessionLevel"));
        set("policyAction", located(session, file, "policyAction"));
        source.apps.push(app);
        ignoredChildren(file, read.skipped, `connected app \`${name}\``);
        const ignoredPolicy = [
          ...(config?.children ?? []).filter(
            (c) =>
              !["consumerKey", "isAdminApproved", "isClientCredentialEnabled", "oauthClientCredentialUser"].includes(
                c.name,
              ),
          ),
          ...(policy?.children ?? []).filter((c) => c.name !== "ipRelaxation"),
          ...(session?.children ?? []).filter((c) => c.name !== "sessionLevel" && c.name !== "policyAction"),
        ].map((c) => `\`${c.name}\``);
        if (ignoredPolicy.length > 0)
          note({
            level: "ignored",
            file,
            message: `connected app \`${name}\` OAuth settings: ${[...new Set(ignoredPolicy)].join(", ")} (not modelled by Gatehouse; the refresh token policy, scopes and certificates do not change who may call the API from where)`,
          });
        break;
      }
      case "ecaPolicy": {
        const app = eca(textOf(root, "externalClientApplication") ?? name, at);
        app.source = at;
        const split = (field: string): Array<Located<string>> => {
          const l = located(root, file, field);
          if (!l) return [];
          return l.value
            .split(",")
            .map((v) => v.trim())
            .filter((v) => v !== "")
            .map((value) => ({ value, source: l.source }));
        };
        app.profiles.push(...split("commaSeparatedProfile"));
        app.permissionSets.push(...split("commaSeparatedPermissionSet"));
        const set = <K extends keyof MetadataApp>(k: K, v: MetadataApp[K] | undefined): void => {
          if (v !== undefined) app[k] = v;
        };
        set("adminApproved", located(root, file, "permittedUsersPolicyType"));
        set("ipRelaxation", located(root, file, "ipRelaxationPolicyType"));
        set("sessionLevel", located(root, file, "requiredSessionLevel"));
        set("policyAction", located(root, file, "policyAction"));
        set("clientCredentials", located(root, file, "isClientCredentialsFlowEnabled"));
        set("runAsUser", located(root, file, "clientCredentialsFlowUser"));
        const used = new Set([
          "externalClientApplication",
          "commaSeparatedProfile",
          "commaSeparatedPermissionSet",
          "permittedUsersPolicyType",
          "ipRelaxationPolicyType",
          "requiredSessionLevel",
          "policyAction",
          "isClientCredentialsFlowEnabled",
          "clientCredentialsFlowUser",
          "label",
        ]);
        const skipped = new Map<string, number>();
        for (const c of root.children) if (!used.has(c.name)) skipped.set(c.name, (skipped.get(c.name) ?? 0) + 1);
        ignoredChildren(file, skipped, `External Client App \`${app.name}\` policies`);
        break;
      }
      case "ecaSettings": {
        const app = eca(textOf(root, "externalClientApplication") ?? name, at);
        const label = textOf(root, "label");
        if (label !== undefined && app.label === undefined) app.label = label;
        app.ranges.push(...ranges(root, file, { start: "startIpAddress", end: "endIpAddress" }));
        const used = new Set(["externalClientApplication", "label", "trustedIpRanges"]);
        const skipped = new Map<string, number>();
        for (const c of root.children) if (!used.has(c.name)) skipped.set(c.name, (skipped.get(c.name) ?? 0) + 1);
        ignoredChildren(file, skipped, `External Client App \`${app.name}\` OAuth settings`);
        break;
      }
      case "ecaGlobal": {
        const app = eca(textOf(root, "externalClientApplication") ?? name, at);
        const key = textOf(root, "consumerKey");
        if (key !== undefined) app.consumerKey = key;
        note({
          level: "ignored",
          file,
          message:
            "global OAuth settings other than `consumerKey` (secrets and callback URLs are never read into YAML)",
        });
        break;
      }
      case "eca": {
        const label = textOf(root, "label");
        const app = eca(name, at);
        if (label !== undefined) app.label = label;
        break;
      }
      case "ecaConfigurable": {
        const app = eca(textOf(root, "externalClientApplication") ?? name.replace(/_plcy$/, ""), at);
        const set = <K extends keyof MetadataApp>(k: K, v: MetadataApp[K] | undefined): void => {
          if (v !== undefined) app[k] = v;
        };
        set("enabled", located(root, file, "isEnabled"));
        set("oauthEnabled", located(root, file, "isOauthPluginEnabled"));
        const used = new Set(["externalClientApplication", "isEnabled", "isOauthPluginEnabled", "label"]);
        const skipped = new Map<string, number>();
        for (const c of root.children) if (!used.has(c.name)) skipped.set(c.name, (skipped.get(c.name) ?? 0) + 1);
        ignoredChildren(file, skipped, `External Client App \`${app.name}\` configurable policies`);
        break;
      }
      case "permissionSetGroup": {
        const label = textOf(root, "label");
        const refs = (element: string): Array<Located<string>> =>
          childrenNamed(root, element).map((c) => ({ value: c.text.trim(), source: { file, line: c.line } }));
        source.groups.push({
          name,
          ...(label === undefined ? {} : { label }),
          permissionSets: refs("permissionSets"),
          mutingPermissionSets: refs("mutingPermissionSets"),
          source: at,
        });
        const used = new Set(["label", "permissionSets", "mutingPermissionSets"]);
        const skipped = new Map<string, number>();
        for (const c of root.children) if (!used.has(c.name)) skipped.set(c.name, (skipped.get(c.name) ?? 0) + 1);
        ignoredChildren(file, skipped, `permission set group \`${name}\``);
        break;
      }
      case "mutingPermissionSet": {
        const label = textOf(root, "label");
        source.mutingSets.push({
          name,
          ...(label === undefined ? {} : { label }),
          permissions: permissions(root, file),
          ranges: [],
          source: at,
        });
        ignoredChildren(file, read.skipped, `muting permission set \`${name}\``);
        break;
      }
      case "profile":
      case "permissionSet": {
        const label = textOf(root, "label");
        const license = textOf(root, "userLicense");
        const holder: MetadataPermissionHolder = {
          name,
          ...(label === undefined ? {} : { label }),
          ...(license === undefined || kind !== "profile" ? {} : { userLicense: license }),
          ...(kind === "profile" && textOf(root, "custom") === "false" ? { standard: true } : {}),
          permissions: permissions(root, file),
          ranges: kind === "profile" ? ranges(root, file, { start: "startAddress", end: "endAddress" }) : [],
          source: at,
        };
        (kind === "profile" ? source.profiles : source.permissionSets).push(holder);
        ignoredChildren(file, read.skipped, `${kind === "profile" ? "profile" : "permission set"} \`${name}\``);
        break;
      }
      case "security": {
        const network = root.children.find((c) => c.name === "networkAccess");
        const session = root.children.find((c) => c.name === "sessionSettings");
        const enforce = located(session, file, "enforceIpRangesEveryRequest");
        const lock = located(session, file, "lockSessionsToIp");
        source.security = {
          trusted: network ? ranges(network, file, { start: "start", end: "end" }) : [],
          ...(enforce === undefined ? {} : { enforceEveryRequest: enforce }),
          ...(lock === undefined ? {} : { lockSessionsToIp: lock }),
          source: at,
        };
        const other = [
          ...root.children.filter((c) => c.name !== "networkAccess" && c.name !== "sessionSettings"),
          ...(session?.children ?? []).filter(
            (c) => c.name !== "enforceIpRangesEveryRequest" && c.name !== "lockSessionsToIp",
          ),
        ];
        const skipped = new Map<string, number>();
        for (const c of other) skipped.set(c.name, (skipped.get(c.name) ?? 0) + 1);
        ignoredChildren(file, skipped, "security settings");
        break;
      }
      case "appSettings": {
        const allowlisted = located(root, file, "enableAdminApprovedAppsOnly");
        const external = located(root, file, "enableAdminApprovedAppsOnlyForExternalUser");
        source.appSettings = {
          ...(allowlisted === undefined ? {} : { allowlisted }),
          ...(external === undefined ? {} : { external }),
          source: at,
        };
        const skipped = new Map<string, number>();
        for (const c of root.children)
          if (c.name !== "enableAdminApprovedAppsOnly" && c.name !== "enableAdminApprovedAppsOnlyForExternalUser")
            skipped.set(c.name, (skipped.get(c.name) ?? 0) + 1);
        ignoredChildren(file, skipped, "connected app settings");
        break;
      }
    }
  }
  source.apps.push(...ecaByName.values());
  note({ level: "mapped", file: dir, message: layoutSummary(source.layouts) });
  return source;
}
