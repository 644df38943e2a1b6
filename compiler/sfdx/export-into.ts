/**
 * `gatehouse export sfdx DIR --into SFDX_DIR`: merges the elements Gatehouse owns into an
 * existing retrieved tree (either layout), leaving every other element and file untouched. A
 * value already right is not rewritten, so an unchanged policy changes no byte; a value unseen at
 * import is never written; a component the tree lacks is written as a new file beside its kind.
 */
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { formatAddress } from "../../core/address.js";
import type { AddressRange, ConnectedAppModel, PolicySet } from "../validate/model.js";
import { readRelaxation } from "./enums.js";
import {
  CONFIRMED_PERMISSIONS,
  ECA_PATH_KINDS,
  PACKAGE_DIR,
  exportSfdx,
  explicitlyNoTrustedRanges,
  unseen,
} from "./export.js";
import { ECA_RELAXATION } from "./enums.js";
import { classify, listTree, type MetadataFile, type MetadataKind } from "./layout.js";
import { Merger, parseSpans, type Item, type Span } from "./merge.js";
import { decodeFileName, profileDisplayName } from "./names.js";
import type { ImportNote } from "./read-source.js";

/** What a merge produced: the files it changed or created (by path in the tree), and notes. */
export interface MergeResult {
  readonly files: ReadonlyMap<string, string>;
  readonly unchanged: number;
  readonly notes: readonly ImportNote[];
}

function rangeItems(name: string, ranges: readonly AddressRange[], fields: [string, string]): Item[] {
  return ranges.map((r) => {
    const description = descriptionOf(r);
    return {
      name,
      children: [
        ...(description === undefined ? [] : ([["description", description]] as const)),
        [fields[1], formatAddress(r.family, r.last)],
        [fields[0], formatAddress(r.family, r.first)],
      ],
    };
  });
}

function descriptionOf(range: AddressRange): string | undefined {
  const entry = range.origin.doc.value;
  // INVARIANT: a range's origin pointer names its list entry (or the `cidr` inside it).
  const parts = range.origin.pointer
    .replace(/\/cidr$/, "")
    .split("/")
    .slice(1);
  let node: unknown = entry;
  for (const p of parts) node = (node as Record<string, unknown> | unknown[] | undefined)?.[p as never];
  const d = (node as { description?: unknown } | undefined)?.description;
  return typeof d === "string" ? d : undefined;
}

function textItems(name: string, values: readonly string[]): Item[] {
  return values.map((v) => ({ name, children: [], text: v }));
}

/** Sets each confirmed permission's `enabled` as the holder grants it, never adding a `false` that was absent. */
function syncPermissions(m: Merger, granted: readonly string[]): void {
  for (const perm of CONFIRMED_PERMISSIONS) {
    const owns = (s: Span): boolean => s.children.find((c) => c.name === "name")?.text.trim() === perm;
    const present = m.root.children.some((c) => c.name === "userPermissions" && owns(c));
    const want = granted.includes(perm);
    const items: Item[] =
      want || present
        ? [
            {
              name: "userPermissions",
              children: [
                ["enabled", String(want)],
                ["name", perm],
              ],
            },
          ]
        : [];
    m.syncList(m.root, "userPermissions", items, owns);
  }
}

function mergeProfile(m: Merger, p: PolicySet["profiles"] extends ReadonlyMap<string, infer T> ? T : never): void {
  if (!unseen(p, "loginIpRanges"))
    m.syncList(m.root, "loginIpRanges", rangeItems("loginIpRanges", p.loginIpRanges, ["startAddress", "endAddress"]));
  if (p.userLicense !== undefined) m.setText(m.root, "userLicense", p.userLicense);
  if (!unseen(p, "permissions")) syncPermissions(m, p.permissions);
}

function mergeConnectedApp(m: Merger, app: ConnectedAppModel, policy: PolicySet, runAs: string | undefined): void {
  m.syncList(m.root, "ipRanges", rangeItems("ipRanges", app.trustedIpRanges, ["start", "end"]));
  const config = m.child(m.root, "oauthConfig");
  if (config) {
    if (app.clientIds[0] !== undefined) m.setText(config, "consumerKey", app.clientIds[0]);
    m.setText(config, "isAdminApproved", String(app.adminApproved));
    if (runAs !== undefined) {
      m.setText(config, "isClientCredentialEnabled", "true");
      m.setText(config, "oauthClientCredentialUser", runAs);
    }
  }
  const oauthPolicy = m.child(m.root, "oauthPolicy");
  if (oauthPolicy) {
    const current = m.child(oauthPolicy, "ipRelaxation")?.text.trim();
    const reading = current === undefined ? undefined : readRelaxation(current, "ConnectedApp");
    if (!(reading?.ok && reading.value === app.ipRelaxation)) m.setText(oauthPolicy, "ipRelaxation", app.ipRelaxation);
  }
  // Only assignments that resolve to one declared permission set or profile are Gatehouse's: an
  // entry the import could not resolve (another org's set, a label two sets share) stays as it is.
  const setOf = (written: string): string | undefined => {
    if (policy.permissionSets.has(written)) return written;
    const byLabel = [...policy.permissionSets.values()].filter((s) => s.label === written);
    return byLabel.length === 1 ? byLabel[0]!.name : undefined;
  };
  const profileOf = (written: string): string | undefined =>
    [...policy.profiles.keys()].find((n) => n === written || profileDisplayName(n) === written);
  const assignments = (
    element: string,
    resolve: (w: string) => string | undefined,
    wanted: readonly string[],
    write: (n: string) => string,
  ): void => {
    const owns = (s: Span): boolean => resolve(s.text.trim()) !== undefined;
    const spans = m.root.children.filter((c) => c.name === element && owns(c));
    const current = spans.map((s) => resolve(s.text.trim())!);
    const same = current.length === wanted.length && wanted.every((w) => current.includes(w));
    if (!same) m.syncList(m.root, element, textItems(element, wanted.map(write)), owns);
  };
  assignments("permissionSetName", setOf, app.permissionSets, (n) => policy.permissionSets.get(n)?.label ?? n);
  assignments("profileName", profileOf, app.profiles, profileDisplayName);
  const session = m.child(m.root, "sessionPolicy");
  const level = session ? m.child(session, "sessionLevel")?.text.trim() : undefined;
  if (app.highAssurance !== undefined) {
    if (session) {
      m.setText(session, "sessionLevel", "HIGH_ASSURANCE");
      m.setText(session, "policyAction", app.highAssurance === "block" ? "Block" : "RaiseSessionLevel");
    } else {
      m.syncList(m.root, "sessionPolicy", [
        {
          name: "sessionPolicy",
          children: [
            ["policyAction", app.highAssurance === "block" ? "Block" : "RaiseSessionLevel"],
            ["sessionLevel", "HIGH_ASSURANCE"],
          ],
        },
      ]);
    }
  } else if (session && level === "HIGH_ASSURANCE") {
    m.setText(session, "sessionLevel", "STANDARD");
  }
}

function mergeEca(kind: MetadataKind, m: Merger, app: ConnectedAppModel, policy: PolicySet, runAs?: string): void {
  if (kind === "ecaPolicy") {
    const current = m.child(m.root, "ipRelaxationPolicyType")?.text.trim();
    const reading = current === undefined ? undefined : readRelaxation(current, "ExternalClientApplication");
    if (!(reading?.ok && reading.value === app.ipRelaxation))
      m.setText(m.root, "ipRelaxationPolicyType", ECA_RELAXATION[app.ipRelaxation]);
    m.setText(
      m.root,
      "permittedUsersPolicyType",
      app.adminApproved ? "AdminApprovedPreAuthorized" : "AllSelfAuthorized",
    );
    const list = (field: string, wanted: readonly string[], same: (a: string, b: string) => boolean): void => {
      const current = (m.child(m.root, field)?.text ?? "")
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "");
      const equal = current.length === wanted.length && current.every((c) => wanted.some((w) => same(c, w)));
      if (!equal && (wanted.length > 0 || current.length > 0)) m.setText(m.root, field, wanted.join(","));
    };
    list(
      "commaSeparatedPermissionSet",
      app.permissionSets,
      (a, b) => a === b || policy.permissionSets.get(b)?.label === a,
    );
    list("commaSeparatedProfile", app.profiles.map(profileDisplayName), (a, b) => a === b);
    if (runAs !== undefined) {
      m.setText(m.root, "isClientCredentialsFlowEnabled", "true");
      m.setText(m.root, "clientCredentialsFlowUser", runAs);
    }
    if (app.highAssurance !== undefined) {
      m.setText(m.root, "requiredSessionLevel", "HIGH_ASSURANCE");
      m.setText(m.root, "policyAction", app.highAssurance === "block" ? "Block" : "RaiseSessionLevel");
    } else if (m.child(m.root, "requiredSessionLevel")?.text.trim() === "HIGH_ASSURANCE") {
      m.setText(m.root, "requiredSessionLevel", "STANDARD");
    }
  } else if (kind === "ecaSettings") {
    m.syncList(
      m.root,
      "trustedIpRanges",
      rangeItems("trustedIpRanges", app.trustedIpRanges, ["startIpAddress", "endIpAddress"]),
    );
  } else if (kind === "ecaGlobal") {
    if (app.clientIds[0] !== undefined) m.setText(m.root, "consumerKey", app.clientIds[0]);
  } else if (kind === "ecaConfigurable") {
    const enabled = m.child(m.root, "isEnabled")?.text.trim();
    if (app.blocked && enabled !== "false") m.setText(m.root, "isEnabled", "false");
    if (!app.blocked && enabled === "false") m.setText(m.root, "isEnabled", "true");
  }
}

function mergeSecurity(m: Merger, org: PolicySet["org"]): void {
  if (!unseen(org, "session")) {
    const session = m.child(m.root, "sessionSettings");
    if (session) {
      m.setText(session, "enforceIpRangesEveryRequest", String(org.enforceLoginIpRangesEveryRequest));
      m.setText(session, "lockSessionsToIp", String(org.lockSessionsToIp));
    }
  }
  if (unseen(org, "trustedIpRanges")) return;
  const network = m.child(m.root, "networkAccess");
  const items = rangeItems("ipRanges", org.trustedIpRanges, ["start", "end"]);
  if (network && (items.length > 0 || explicitlyNoTrustedRanges(org))) m.syncList(network, "ipRanges", items);
  else if (!network && items.length > 0)
    m.syncList(m.root, "networkAccess", [{ name: "networkAccess", children: [], nested: items }]);
}

/** The name a tree file holds, for matching it to a declaration. */
function nameOf(file: MetadataFile, root: Span): string | undefined {
  const app = root.children.find((c) => c.name === "externalClientApplication")?.text.trim();
  if (app !== undefined && app !== "") return app;
  return decodeFileName(file.base);
}

/**
 * Merges the policy into the tree at `into`: returns the files to write (changed or new) and
 * how many existing files already held the policy's values.
 */
export function exportInto(policy: PolicySet, into: string): MergeResult {
  const notes: ImportNote[] = [];
  const out = new Map<string, string>();
  let unchanged = 0;
  const listing = listTree(into);
  const byKind = new Map<string, MetadataFile>();
  const users = new Map([...policy.users.values()].map((u) => [u.name, u]));
  const runAsOf = (app: ConnectedAppModel): string | undefined =>
    app.runAsUser === undefined ? undefined : (users.get(app.runAsUser)?.username ?? app.runAsUser);
  const handled = new Set<string>();
  const merge = (file: MetadataFile, apply: (m: Merger) => void): void => {
    const xml = readFileSync(join(into, file.file), "utf8");
    const root = parseSpans(xml);
    if (!root) {
      notes.push({ level: "error", file: file.file, message: "malformed XML: not merged" });
      return;
    }
    const m = new Merger(xml, root);
    apply(m);
    const merged = m.changes === 0 ? xml : m.apply();
    if (merged === xml) unchanged++;
    else out.set(file.file, merged);
  };
  for (const file of listing.metadata) {
    const xml = readFileSync(join(into, file.file), "utf8");
    const root = parseSpans(xml);
    const name = root ? nameOf(file, root) : undefined;
    if (name !== undefined) byKind.set(`${file.kind}\u0000${name}`, file);
  }
  const find = (kind: MetadataKind, name: string): MetadataFile | undefined => byKind.get(`${kind}\u0000${name}`);

  for (const p of policy.profiles.values()) {
    const file = find("profile", p.name);
    if (file) {
      handled.add(`profile\u0000${p.name}`);
      merge(file, (m) => mergeProfile(m, p));
    }
  }
  for (const s of policy.permissionSets.values()) {
    const file = find("permissionSet", s.name);
    if (file) {
      handled.add(`permissionSet\u0000${s.name}`);
      merge(file, (m) => syncPermissions(m, s.permissions));
    }
  }
  for (const app of policy.apps.values()) {
    if (app.metadataType === "ConnectedApp") {
      const file = find("connectedApp", app.name);
      if (file) {
        handled.add(`connectedApp\u0000${app.name}`);
        merge(file, (m) => mergeConnectedApp(m, app, policy, runAsOf(app)));
      }
      continue;
    }
    for (const kind of ECA_PATH_KINDS) {
      const file = find(kind, app.name);
      if (!file) continue;
      handled.add(`${kind}\u0000${app.name}`);
      merge(file, (m) => mergeEca(kind, m, app, policy, runAsOf(app)));
    }
  }
  const security = find("security", "Security");
  if (security) {
    handled.add("security\u0000Security");
    merge(security, (m) => mergeSecurity(m, policy.org));
  }
  const appSettings = find("appSettings", "ConnectedApp");
  if (appSettings && !unseen(policy.org, "apiAccessControl")) {
    handled.add("appSettings\u0000ConnectedApp");
    merge(appSettings, (m) => {
      m.setText(m.root, "enableAdminApprovedAppsOnly", String(policy.org.allowlistedAppsOnly));
      m.setText(
        m.root,
        "enableAdminApprovedAppsOnlyForExternalUser",
        String(policy.org.customersAndPartnersInstalledAppsOnly),
      );
    });
  } else if (appSettings) handled.add("appSettings\u0000ConnectedApp");

  // Components the tree lacks: the plain export's file, placed beside files of its kind.
  const fresh = exportSfdx(policy);
  notes.push(...fresh.notes);
  for (const [path, text] of fresh.files) {
    if (path === "sfdx-project.json") continue;
    const rel = path.slice(PACKAGE_DIR.length + 1);
    const kindOf = classify(rel);
    const root = parseSpans(text);
    const base = kindOf?.base ?? "";
    const name = root && kindOf ? nameOf({ file: rel, kind: kindOf.kind, layout: "source", base }, root) : undefined;
    if (kindOf && name !== undefined && (handled.has(`${kindOf.kind}\u0000${name}`) || find(kindOf.kind, name)))
      continue;
    // An External Client App the tree has: its other files are not created beside the retrieved ones.
    const eca = (ECA_PATH_KINDS as readonly string[]).includes(kindOf?.kind ?? "");
    if (eca && name !== undefined && ECA_PATH_KINDS.some((k) => find(k, name))) continue;
    const sibling = kindOf ? listing.metadata.find((f) => f.kind === kindOf.kind) : undefined;
    const target = sibling
      ? posix.join(
          posix.dirname(sibling.file),
          sibling.layout === "mdapi" ? posix.basename(rel).replace(/-meta\.xml$/, "") : posix.basename(rel),
        )
      : path;
    out.set(target, text);
    notes.push({ level: "mapped", file: target, message: "not in the tree: written as a new file" });
    if (sibling?.layout === "mdapi")
      notes.push({
        level: "warning",
        file: target,
        message: "a new component in the Metadata API layout: add it to `package.xml` before deploying",
      });
  }
  return { files: out, unchanged, notes };
}
