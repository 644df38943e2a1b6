import { XMLBuilder } from "fast-xml-parser";
import { formatAddress } from "../../core/address.js";
import { compareText } from "../diagnostics/diagnostic.js";
import { findNode } from "../validate/locate.js";
import type { Permission } from "../../core/model.generated.js";
import type {
  AddressRange,
  ConnectedAppModel,
  PermissionSetModel,
  PolicySet,
  ProfileModel,
} from "../validate/model.js";
import { ECA_RELAXATION } from "./enums.js";
import { OWNED_PERMISSIONS } from "./owned-permissions.js";
import { encodeFileName, profileDisplayName } from "./names.js";
import type { ImportNote } from "./read-source.js";
import { METADATA_NAMESPACE } from "./xml-reader.js";

/** Where exported metadata goes inside the output directory (the default SFDX package directory). */
export const PACKAGE_DIR = "force-app/main/default";

/** The API version of the exported project: External Client App policy fields need 60.0 or later. */
export const SOURCE_API_VERSION = "64.0";

/** What an export produced: metadata files by path, and notes on what could not be expressed. */
export interface ExportResult {
  readonly files: ReadonlyMap<string, string>;
  readonly notes: readonly ImportNote[];
}

/** An element's children in the order they are written; a value is text, a nested element, or a list repeating the element. */
type XmlValue = string | XmlNode | ReadonlyArray<string | XmlNode>;
interface XmlNode {
  readonly [name: string]: XmlValue;
}

function isList(v: XmlValue): v is ReadonlyArray<string | XmlNode> {
  return Array.isArray(v);
}

const builder = new XMLBuilder({
  format: true,
  indentBy: "    ",
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  processEntities: true,
  suppressEmptyNode: true,
});

/**
 * Renders one metadata file. Children are written in alphabetical order, as Salesforce retrieves
 * them; every text value is escaped by the XML builder, never concatenated into markup.
 */
export function renderMetadata(root: string, children: XmlNode): string {
  const sorted = (node: XmlNode): XmlNode => {
    const out: Record<string, XmlValue> = {};
    for (const k of Object.keys(node).sort(compareText)) {
      const v = node[k]!;
      if (typeof v === "string") out[k] = v;
      else if (isList(v)) out[k] = v.map((x) => (typeof x === "string" ? x : sorted(x)));
      else out[k] = sorted(v);
    }
    return out;
  };
  const xml: string = builder.build({
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    [root]: { "@_xmlns": METADATA_NAMESPACE, ...sorted(children) },
  });
  return xml.endsWith("\n") ? xml : `${xml}\n`;
}

/** The description written beside an entry of an address list, when it has one. */
function descriptionOf(range: AddressRange): string | undefined {
  // INVARIANT: a range's origin is its list entry, or the `cidr` inside a `{cidr, description}` entry.
  const pointer = range.origin.pointer.replace(/\/cidr$/, "");
  const entry = findNode(range.origin.doc, pointer).node?.toJSON() as unknown;
  if (entry && typeof entry === "object" && "description" in entry) {
    const d = (entry as { description?: unknown }).description;
    if (typeof d === "string") return d;
  }
  return undefined;
}

function startEnd(range: AddressRange, names: { start: string; end: string }): XmlNode {
  const description = descriptionOf(range);
  return {
    ...(description === undefined ? {} : { description }),
    [names.end]: formatAddress(range.family, range.last),
    [names.start]: formatAddress(range.family, range.first),
  };
}

/**
 * The evaluated permissions whose `userPermissions` name Salesforce documents. The metadata name
 * of Approve Uninstalled Connected Apps is not confirmed, so it is never written.
 */
export const CONFIRMED_PERMISSIONS: readonly Permission[] = OWNED_PERMISSIONS.filter(
  (p) => p !== "ApproveUninstalledConnectedApps",
);

function permissionsOf(holder: ProfileModel | PermissionSetModel): XmlNode[] {
  return [...CONFIRMED_PERMISSIONS]
    .sort(compareText)
    .map((name) => ({ enabled: String(holder.permissions.includes(name)), name }));
}

/** True when the declaration lists `fact` as unseen: its value is unknown and is never written. */
export function unseen(decl: { unseen?: readonly string[] }, fact: string): boolean {
  return decl.unseen?.includes(fact) ?? false;
}

/** True when the org's YAML explicitly declares an empty `trustedIpRanges` (no trusted ranges at all). */
export function explicitlyNoTrustedRanges(org: PolicySet["org"]): boolean {
  const value = (org.doc.value as { trustedIpRanges?: unknown }).trustedIpRanges;
  return Array.isArray(value) && value.length === 0;
}

/** The External Client App file kinds an app's settings are spread over. */
export const ECA_PATH_KINDS = ["eca", "ecaPolicy", "ecaSettings", "ecaGlobal", "ecaConfigurable"] as const;

/** The ECA file names Salesforce retrieves, by app name. */
export function ecaPaths(name: string): Record<"header" | "oauthPolicy" | "settings" | "global" | "policy", string> {
  const base = encodeFileName(name);
  return {
    header: `externalClientApps/${base}.eca-meta.xml`,
    oauthPolicy: `extlClntAppOauthPolicies/${base}_oauthPlcy.ecaOauthPlcy-meta.xml`,
    settings: `extlClntAppOauthSettings/${base}_oauth.ecaOauth-meta.xml`,
    global: `extlClntAppGlobalOauthSets/${base}_glbl.ecaGlblOauth-meta.xml`,
    policy: `extlClntAppPolicies/${base}_plcy.ecaPlcy-meta.xml`,
  };
}

function appNotes(app: ConnectedAppModel, note: (message: string) => void): void {
  const what = `connected app \`${app.name}\``;
  if (app.clientIds.length > 1)
    note(
      `${what} has ${app.clientIds.length} client ids; metadata holds one consumer key, so only \`${app.clientIds[0]}\` is written`,
    );
  if (!app.installed || (app.blocked && app.metadataType === "ConnectedApp"))
    note(
      `${what} is ${!app.installed ? "not installed" : "blocked"}: install and block state is set in Connected Apps OAuth Usage, not in metadata`,
    );
  if (app.sites !== undefined)
    note(`${what} lists Experience sites: installing an app in a site is not connected-app metadata`);
}

/**
 * Exports a policy set as SFDX metadata: only the elements Gatehouse owns (login IP ranges,
 * licence and the four evaluated user permissions of profiles and permission sets; each app's
 * consumer key, permitted users, assignments, IP relaxation, trusted ranges, high-assurance policy
 * and run-as user; the API access control and session settings; trusted IP ranges), so a reviewed
 * policy can be deployed with the Salesforce CLI. Networks and CIDRs become start–end ranges.
 * Assignments are written the way Salesforce retrieves them: permission sets by label, profiles
 * by display name.
 */
export function exportSfdx(policy: PolicySet): ExportResult {
  const files = new Map<string, string>();
  const notes: ImportNote[] = [];
  const note = (file: string, message: string): void => {
    notes.push({ level: "ignored", file, message });
  };
  const users = new Map([...policy.users.values()].map((u) => [u.name, u]));

  for (const p of policy.profiles.values()) {
    const path = `${PACKAGE_DIR}/profiles/${encodeFileName(p.name)}.profile-meta.xml`;
    files.set(
      path,
      renderMetadata("Profile", {
        ...(p.standard === true ? { custom: "false" } : {}),
        ...(p.loginIpRanges.length > 0
          ? { loginIpRanges: p.loginIpRanges.map((r) => startEnd(r, { start: "startAddress", end: "endAddress" })) }
          : {}),
        ...(p.userLicense === undefined ? {} : { userLicense: p.userLicense }),
        ...(unseen(p, "permissions") ? {} : { userPermissions: permissionsOf(p) }),
      }),
    );
    if (unseen(p, "permissions"))
      note(path, `profile \`${p.name}\`: its user permissions were not seen at import, so none are written`);
    if (p.permissions.includes("ApproveUninstalledConnectedApps"))
      note(
        path,
        `profile \`${p.name}\`: \`ApproveUninstalledConnectedApps\` is not a confirmed Salesforce \`userPermissions\` name, so it is not written`,
      );
  }
  for (const s of policy.permissionSets.values()) {
    files.set(
      `${PACKAGE_DIR}/permissionsets/${encodeFileName(s.name)}.permissionset-meta.xml`,
      renderMetadata("PermissionSet", { label: s.label ?? s.name, userPermissions: permissionsOf(s) }),
    );
  }

  for (const app of policy.apps.values()) {
    const runAs = app.runAsUser === undefined ? undefined : (users.get(app.runAsUser)?.username ?? app.runAsUser);
    const profileNames = app.profiles.map(profileDisplayName);
    const setLabels = app.permissionSets.map((n) => policy.permissionSets.get(n)?.label ?? n);
    if (app.metadataType === "ExternalClientApplication") {
      const eca = ecaPaths(app.name);
      const policyPath = `${PACKAGE_DIR}/${eca.oauthPolicy}`;
      files.set(
        `${PACKAGE_DIR}/${eca.header}`,
        renderMetadata("ExternalClientApplication", { label: app.label ?? app.name }),
      );
      if (app.blocked)
        files.set(
          `${PACKAGE_DIR}/${eca.policy}`,
          renderMetadata("ExtlClntAppConfigurablePolicies", {
            externalClientApplication: app.name,
            isEnabled: "false",
            label: `${app.name}_plcy`,
          }),
        );
      files.set(
        policyPath,
        renderMetadata("ExtlClntAppOauthConfigurablePolicies", {
          ...(runAs === undefined ? {} : { clientCredentialsFlowUser: runAs }),
          ...(app.permissionSets.length > 0 ? { commaSeparatedPermissionSet: app.permissionSets.join(",") } : {}),
          ...(app.profiles.length > 0 ? { commaSeparatedProfile: profileNames.join(",") } : {}),
          externalClientApplication: app.name,
          ipRelaxationPolicyType: ECA_RELAXATION[app.ipRelaxation],
          isClientCredentialsFlowEnabled: String(runAs !== undefined),
          label: `${app.name}_oauthPlcy`,
          permittedUsersPolicyType: app.adminApproved ? "AdminApprovedPreAuthorized" : "AllSelfAuthorized",
          ...(app.highAssurance === undefined
            ? {}
            : {
                policyAction: app.highAssurance === "block" ? "Block" : "RaiseSessionLevel",
                requiredSessionLevel: "HIGH_ASSURANCE",
              }),
        }),
      );
      files.set(
        `${PACKAGE_DIR}/${eca.settings}`,
        renderMetadata("ExtlClntAppOauthSettings", {
          externalClientApplication: app.name,
          label: app.label ?? app.name,
          ...(app.trustedIpRanges.length > 0
            ? {
                trustedIpRanges: app.trustedIpRanges.map((r) =>
                  startEnd(r, { start: "startIpAddress", end: "endIpAddress" }),
                ),
              }
            : {}),
        }),
      );
      if (app.clientIds.length > 0)
        files.set(
          `${PACKAGE_DIR}/${eca.global}`,
          renderMetadata("ExtlClntAppGlobalOauthSettings", {
            consumerKey: app.clientIds[0]!,
            externalClientApplication: app.name,
            label: `${app.name}_glbl`,
          }),
        );
      appNotes(app, (m) => note(policyPath, m));
      continue;
    }
    const path = `${PACKAGE_DIR}/connectedApps/${encodeFileName(app.name)}.connectedApp-meta.xml`;
    files.set(
      path,
      renderMetadata("ConnectedApp", {
        ...(app.trustedIpRanges.length > 0
          ? { ipRanges: app.trustedIpRanges.map((r) => startEnd(r, { start: "start", end: "end" })) }
          : {}),
        label: app.label ?? app.name,
        oauthConfig: {
          ...(app.clientIds.length > 0 ? { consumerKey: app.clientIds[0]! } : {}),
          isAdminApproved: String(app.adminApproved),
          isClientCredentialEnabled: String(runAs !== undefined),
          ...(runAs === undefined ? {} : { oauthClientCredentialUser: runAs }),
        },
        oauthPolicy: { ipRelaxation: app.ipRelaxation },
        ...(setLabels.length > 0 ? { permissionSetName: setLabels } : {}),
        ...(profileNames.length > 0 ? { profileName: profileNames } : {}),
        ...(app.highAssurance === undefined
          ? {}
          : {
              sessionPolicy: {
                policyAction: app.highAssurance === "block" ? "Block" : "RaiseSessionLevel",
                sessionLevel: "HIGH_ASSURANCE",
              },
            }),
      }),
    );
    appNotes(app, (m) => note(path, m));
  }

  const org = policy.org;
  const settings = `${PACKAGE_DIR}/settings`;
  if (unseen(org, "apiAccessControl"))
    note(
      `${settings}/ConnectedApp.settings-meta.xml`,
      "API access control was not seen at import, so it is not written",
    );
  else
    files.set(
      `${settings}/ConnectedApp.settings-meta.xml`,
      renderMetadata("ConnectedAppSettings", {
        enableAdminApprovedAppsOnly: String(org.allowlistedAppsOnly),
        enableAdminApprovedAppsOnlyForExternalUser: String(org.customersAndPartnersInstalledAppsOnly),
      }),
    );
  const security: XmlNode = {
    ...(org.trustedIpRanges.length > 0
      ? { networkAccess: { ipRanges: org.trustedIpRanges.map((r) => startEnd(r, { start: "start", end: "end" })) } }
      : {}),
    ...(unseen(org, "session")
      ? {}
      : {
          sessionSettings: {
            enforceIpRangesEveryRequest: String(org.enforceLoginIpRangesEveryRequest),
            lockSessionsToIp: String(org.lockSessionsToIp),
          },
        }),
  };
  // An empty networkAccess replaces every trusted range on deploy: written only when the policy says so.
  const emptyNetwork = org.trustedIpRanges.length === 0 && explicitlyNoTrustedRanges(org);
  if (Object.keys(security).length > 0 || emptyNetwork) {
    let xml = renderMetadata("SecuritySettings", security);
    if (emptyNetwork) xml = xml.replace(/(<SecuritySettings[^>]*>\n)/, "$1    <networkAccess></networkAccess>\n");
    files.set(`${settings}/Security.settings-meta.xml`, xml);
  }
  if (emptyNetwork)
    note(
      `${settings}/Security.settings-meta.xml`,
      "the policy declares no trusted IP ranges (`trustedIpRanges: []`), so an empty `networkAccess` is written: deploying it removes every trusted IP range of the org",
    );
  else if (org.trustedIpRanges.length === 0)
    note(
      `${settings}/Security.settings-meta.xml`,
      "no trusted IP ranges are declared, so `networkAccess` is not written (write `trustedIpRanges: []` to remove the org's ranges on deploy)",
    );
  files.set(
    "sfdx-project.json",
    `${JSON.stringify({ name: org.name, packageDirectories: [{ path: "force-app", default: true }], sourceApiVersion: SOURCE_API_VERSION }, null, 2)}\n`,
  );
  if (org.edition !== undefined) note(`${settings}/Security.settings-meta.xml`, "the org's edition is not metadata");
  for (const u of policy.users.values()) note(u.source.file, `user \`${u.name}\` is data, not metadata`);
  for (const s of policy.sites.values()) note(s.source.file, `site \`${s.name}\` is not part of the exported metadata`);
  return {
    files: new Map([...files].sort((a, b) => compareText(a[0], b[0]))),
    notes,
  };
}
