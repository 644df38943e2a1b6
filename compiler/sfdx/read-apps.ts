import {
  located,
  locatedAll,
  ranges,
  setFound,
  unusedChildren,
  type ReadContext,
  type ReadFile,
} from "./read-context.js";
import type { Located, MetadataApp } from "./read-source.js";
import { textOf, type XmlElement } from "./xml-reader.js";

/** The fields of an app read as a located value: the setting as written, with its place. */
type LocatedField =
  | "adminApproved"
  | "clientCredentials"
  | "runAsUser"
  | "ipRelaxation"
  | "sessionLevel"
  | "policyAction"
  | "enabled"
  | "oauthEnabled";

/** Sets each field of `app` from the child of `element` that `fields` names for it, where there is one. */
function setLocated(
  app: MetadataApp,
  element: XmlElement | undefined,
  file: string,
  fields: Partial<Record<LocatedField, string>>,
): void {
  for (const [field, child] of Object.entries(fields) as Array<[LocatedField, string]>)
    setFound(app, field, located(element, file, child));
}

const OAUTH_CONFIG_READ = ["consumerKey", "isAdminApproved", "isClientCredentialEnabled", "oauthClientCredentialUser"];

/** A connected app (`*.connectedApp`): its OAuth config, IP policy, session policy and assignments. */
export function readConnectedApp({ root, file, name, at, skipped }: ReadFile, ctx: ReadContext): void {
  const config = root.children.find((c) => c.name === "oauthConfig");
  const policy = root.children.find((c) => c.name === "oauthPolicy");
  const session = root.children.find((c) => c.name === "sessionPolicy");
  const app: MetadataApp = {
    metadataType: "ConnectedApp",
    name,
    profiles: locatedAll(root, file, "profileName"),
    permissionSets: locatedAll(root, file, "permissionSetName"),
    ranges: ranges(root, file, { start: "start", end: "end" }),
    source: at,
    files: [at],
  };
  setFound(app, "label", textOf(root, "label"));
  setFound(app, "consumerKey", config && textOf(config, "consumerKey"));
  setLocated(app, config, file, {
    adminApproved: "isAdminApproved",
    clientCredentials: "isClientCredentialEnabled",
    runAsUser: "oauthClientCredentialUser",
  });
  setLocated(app, policy, file, { ipRelaxation: "ipRelaxation" });
  setLocated(app, session, file, { sessionLevel: "sessionLevel", policyAction: "policyAction" });
  ctx.source.apps.push(app);
  ctx.ignoredChildren(file, skipped, `connected app \`${name}\``);
  const ignoredPolicy = [
    ...(config?.children ?? []).filter((c) => !OAUTH_CONFIG_READ.includes(c.name)),
    ...(policy?.children ?? []).filter((c) => c.name !== "ipRelaxation"),
    ...(session?.children ?? []).filter((c) => c.name !== "sessionLevel" && c.name !== "policyAction"),
  ].map((c) => `\`${c.name}\``);
  if (ignoredPolicy.length > 0)
    ctx.note({
      level: "ignored",
      file,
      message: `connected app \`${name}\` OAuth settings: ${[...new Set(ignoredPolicy)].join(", ")} (not modelled by Gatehouse; the refresh token policy, scopes and certificates do not change who may call the API from where)`,
    });
}

const ECA_POLICY_READ = new Set([
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

/** The External Client App a file belongs to: the one it names, else the one its file name gives. */
function ecaOf({ root, name, at }: ReadFile, ctx: ReadContext): MetadataApp {
  return ctx.eca(textOf(root, "externalClientApplication") ?? name, at);
}

/** An External Client App's OAuth policies (`*.ecaOauthPlcy`): the file that makes it an OAuth client. */
export function readEcaPolicy(read: ReadFile, ctx: ReadContext): void {
  const { root, file, at } = read;
  const app = ecaOf(read, ctx);
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
  setLocated(app, root, file, {
    adminApproved: "permittedUsersPolicyType",
    ipRelaxation: "ipRelaxationPolicyType",
    sessionLevel: "requiredSessionLevel",
    policyAction: "policyAction",
    clientCredentials: "isClientCredentialsFlowEnabled",
    runAsUser: "clientCredentialsFlowUser",
  });
  ctx.ignoredChildren(file, unusedChildren(root, ECA_POLICY_READ), `External Client App \`${app.name}\` policies`);
}

/** An External Client App's OAuth settings (`*.ecaOauth`): its label and trusted IP ranges. */
export function readEcaSettings(read: ReadFile, ctx: ReadContext): void {
  const { root, file } = read;
  const app = ecaOf(read, ctx);
  const label = textOf(root, "label");
  if (label !== undefined && app.label === undefined) app.label = label;
  app.ranges.push(...ranges(root, file, { start: "startIpAddress", end: "endIpAddress" }));
  const used = new Set(["externalClientApplication", "label", "trustedIpRanges"]);
  ctx.ignoredChildren(file, unusedChildren(root, used), `External Client App \`${app.name}\` OAuth settings`);
}

/** An External Client App's global OAuth settings (`*.ecaGlblOauth`): only its consumer key is read. */
export function readEcaGlobal(read: ReadFile, ctx: ReadContext): void {
  setFound(ecaOf(read, ctx), "consumerKey", textOf(read.root, "consumerKey"));
  ctx.note({
    level: "ignored",
    file: read.file,
    message: "global OAuth settings other than `consumerKey` (secrets and callback URLs are never read into YAML)",
  });
}

/** An External Client App itself (`*.eca`): its label. */
export function readEca({ root, name, at }: ReadFile, ctx: ReadContext): void {
  const label = textOf(root, "label");
  const app = ctx.eca(name, at);
  if (label !== undefined) app.label = label;
}

/** An External Client App's configurable policies (`*.ecaPlcy`): whether it is enabled, and for OAuth. */
export function readEcaConfigurable({ root, file, name, at }: ReadFile, ctx: ReadContext): void {
  const app = ctx.eca(textOf(root, "externalClientApplication") ?? name.replace(/_plcy$/, ""), at);
  setLocated(app, root, file, { enabled: "isEnabled", oauthEnabled: "isOauthPluginEnabled" });
  const used = new Set(["externalClientApplication", "isEnabled", "isOauthPluginEnabled", "label"]);
  ctx.ignoredChildren(file, unusedChildren(root, used), `External Client App \`${app.name}\` configurable policies`);
}
