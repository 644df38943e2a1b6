import { readRelaxation } from "./enums.js";
import type { ImportNotes } from "./import-notes.js";
import type { YamlDoc } from "./import-yaml.js";
import { classify } from "./layout.js";
import { STANDARD_PROFILES } from "./names.js";
import type { Located, MetadataApp, MetadataPermissionHolder } from "./read-source.js";

/** How the names an app assigns resolve: profiles by name or display name, permission sets by name or label. */
export interface AssignableNames {
  readonly profiles: ReadonlyMap<string, string>;
  readonly setNames: ReadonlySet<string>;
  readonly setLabels: ReadonlyMap<string, readonly string[]>;
}

/** The names the profiles and permission sets of the tree can be assigned by. */
export function assignableNames(
  profiles: readonly MetadataPermissionHolder[],
  sets: readonly MetadataPermissionHolder[],
): AssignableNames {
  const profileIndex = new Map<string, string>();
  for (const p of profiles) {
    profileIndex.set(p.name, p.name);
    const display = STANDARD_PROFILES.get(p.name);
    if (display !== undefined) profileIndex.set(display, p.name);
  }
  const setLabels = new Map<string, string[]>();
  for (const s of sets) if (s.label !== undefined) setLabels.set(s.label, [...(setLabels.get(s.label) ?? []), s.name]);
  return { profiles: profileIndex, setNames: new Set(sets.map((s) => s.name)), setLabels };
}

/** An app being imported: its metadata, how notes name it, and whether it is an External Client App. */
interface AppInput {
  readonly app: MetadataApp;
  readonly what: string;
  readonly eca: boolean;
}

/**
 * Connected apps and External Client Apps as YAML. An External Client App without OAuth
 * policies is left out (noted), a second app of one name is an error.
 */
export function importApps(
  apps: readonly MetadataApp[],
  names: AssignableNames,
  notes: ImportNotes,
  dir: string,
): YamlDoc[] {
  const out: YamlDoc[] = [];
  const seen = new Map<string, MetadataApp>();
  for (const app of apps) {
    const eca = app.metadataType === "ExternalClientApplication";
    const what = `${eca ? "External Client App" : "connected app"} \`${app.name}\``;
    if (eca && !app.files.some((f) => classify(f.file)?.kind === "ecaPolicy")) {
      notes.add(
        "ignored",
        app.source,
        `${what} has no OAuth policies file (\`*.ecaOauthPlcy-meta.xml\`), so it is not an OAuth client Gatehouse can model`,
      );
      continue;
    }
    const clash = seen.get(app.name);
    if (clash) {
      notes.add(
        "error",
        app.source,
        `${what} has the same name as the ${clash.metadataType === "ConnectedApp" ? "connected app" : "External Client App"} in \`${clash.source.file}\``,
      );
      continue;
    }
    seen.set(app.name, app);
    out.push(importApp({ app, what, eca }, names, notes));
  }
  if (apps.length > 0)
    notes.addFile(
      "ignored",
      dir,
      "whether each app is installed or blocked (Connected Apps OAuth Usage) is not metadata: every app is imported as installed, and as not blocked unless an External Client App policy disables it",
    );
  return out;
}

/** One app's declaration; every value it cannot read is noted. */
function importApp(input: AppInput, names: AssignableNames, notes: ImportNotes): YamlDoc {
  const { app, what, eca } = input;
  const adminApproved = readAdminApproved(input, notes);
  const relaxation = readIpRelaxation(input, notes);
  const profiles = assigned(app.profiles, "profile", input, names, notes);
  const permissionSets = assigned(app.permissionSets, "permission set", input, names, notes);
  const highAssurance = readHighAssurance(input, notes);
  const runAsUser = readRunAsUser(input, notes);
  const blocked = readBlocked(input, notes);
  const ranges = notes.ranges(app.ranges, what);
  if (app.consumerKey === undefined)
    notes.add(
      "warning",
      app.source,
      `${what} has no consumer key in the source tree, so no request can name it; add its \`clientIds\``,
    );
  const others = app.files.filter((f) => f.file !== app.source.file);
  for (const f of others) notes.add("mapped", f, `${what}: read as part of the app → \`connected-apps.yaml\``);
  const also = others.map((f) => `\`${f.file}\``);
  notes.add(
    "mapped",
    app.source,
    `${what} → \`connected-apps.yaml\`${also.length > 0 ? `, also read from ${also.join(", ")}` : ""}`,
  );
  return {
    name: app.name,
    sources: [app.source, ...others],
    value: {
      kind: "ConnectedApp",
      name: app.name,
      ...(app.label === undefined ? {} : { label: app.label }),
      ...(eca ? { metadataType: "ExternalClientApplication" } : {}),
      ...(app.consumerKey === undefined ? {} : { clientIds: [app.consumerKey] }),
      ...(blocked ? { blocked: true } : {}),
      permittedUsers: adminApproved ? "adminApproved" : "selfAuthorize",
      ...(profiles.length > 0 ? { profiles } : {}),
      ...(permissionSets.length > 0 ? { permissionSets } : {}),
      ipRelaxation: relaxation ?? "ENFORCE",
      ...(ranges.length > 0 ? { trustedIpRanges: ranges } : {}),
      ...(highAssurance === undefined ? {} : { sessionPolicy: { highAssurance: { action: highAssurance } } }),
      ...(runAsUser === undefined ? {} : { runAsUser }),
    },
  };
}

/** Whether only admin-approved users may use the app (an External Client App states it as a policy). */
function readAdminApproved({ app, what, eca }: AppInput, notes: ImportNotes): boolean | undefined {
  if (!eca) return notes.bool(app.adminApproved, `\`isAdminApproved\` of ${what}`);
  const v = app.adminApproved;
  if (v === undefined) return undefined;
  if (v.value === "AdminApprovedPreAuthorized") return true;
  if (v.value === "AllSelfAuthorized") return false;
  notes.add(
    "error",
    v.source,
    `${what}: \`${v.value}\` is not a permitted-users policy (\`AdminApprovedPreAuthorized\`, \`AllSelfAuthorized\`)`,
  );
  return undefined;
}

/** The app's IP relaxation; none is read as `ENFORCE`, the documented default, with a warning. */
function readIpRelaxation({ app, what }: AppInput, notes: ImportNotes): string | undefined {
  if (app.ipRelaxation === undefined) {
    notes.add("warning", app.source, `${what} has no IP relaxation; read as \`ENFORCE\`, the documented default`);
    return undefined;
  }
  const reading = readRelaxation(app.ipRelaxation.value, app.metadataType);
  if (!reading.ok) {
    notes.add("error", app.ipRelaxation.source, `${what}: ${reading.message}`);
    return undefined;
  }
  if (reading.caveat !== undefined) notes.add("warning", app.ipRelaxation.source, `${what}: ${reading.caveat}`);
  return reading.value;
}

/**
 * The name a reference of the app resolves to: undefined when it is not in the tree, null when
 * a permission set label is shared by several (noted: never guess which one Salesforce means).
 */
function resolveName(
  ref: Located<string>,
  kind: "profile" | "permission set",
  { what, eca }: AppInput,
  names: AssignableNames,
  notes: ImportNotes,
): string | null | undefined {
  if (kind === "profile") return names.profiles.get(ref.value);
  if (eca) return names.setNames.has(ref.value) ? ref.value : names.setLabels.get(ref.value)?.[0];
  const byLabel = names.setLabels.get(ref.value);
  if (byLabel && byLabel.length > 1 && !names.setNames.has(ref.value)) {
    // Leaving the assignment out can only deny more.
    notes.add(
      "warning",
      ref.source,
      `${what}: permission set label \`${ref.value}\` is shared by ${byLabel.map((n) => `\`${n}\``).join(", ")}; the assignment is not imported (assign it in YAML by name)`,
    );
    return null;
  }
  return byLabel?.[0] ?? (names.setNames.has(ref.value) ? ref.value : undefined);
}

/** An assignment to a profile or permission set not in the tree, or named by record id, is left out. */
function noteUnresolved(ref: Located<string>, kind: string, what: string, notes: ImportNotes): void {
  const id = /^0(PS|0e)[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/.test(ref.value);
  notes.add(
    "warning",
    ref.source,
    id
      ? `${what}: ${kind} \`${ref.value}\` is a record id, which cannot be resolved from source files; the assignment is not imported`
      : `${what}: ${kind} \`${ref.value}\` is not in the source tree; the assignment is not imported (retrieve the ${kind} and import again)`,
  );
}

/** The profiles or permission sets the app is assigned to, by their names in the tree, each once. */
function assigned(
  refs: ReadonlyArray<Located<string>>,
  kind: "profile" | "permission set",
  input: AppInput,
  names: AssignableNames,
  notes: ImportNotes,
): string[] {
  const out: string[] = [];
  for (const ref of refs) {
    const name = resolveName(ref, kind, input, names, notes);
    if (name === null) continue;
    if (name === undefined) {
      noteUnresolved(ref, kind, input.what, notes);
      continue;
    }
    if (name !== ref.value) notes.add("mapped", ref.source, `${input.what}: ${kind} \`${ref.value}\` is \`${name}\``);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** What a high-assurance session policy does: block, or step up; another session level is an error. */
function readHighAssurance({ app, what }: AppInput, notes: ImportNotes): "block" | "stepUp" | undefined {
  const level = app.sessionLevel;
  if (level === undefined) return undefined;
  if (level.value !== "HIGH_ASSURANCE") {
    if (!["STANDARD", "LOW"].includes(level.value))
      notes.add(
        "error",
        level.source,
        `${what}: \`${level.value}\` is not a session level (\`HIGH_ASSURANCE\`, \`STANDARD\`)`,
      );
    return undefined;
  }
  const action = app.policyAction;
  if (action?.value === "Block") return "block";
  if (action?.value === "RaiseSessionLevel") return "stepUp";
  notes.add(
    "error",
    action?.source ?? level.source,
    `${what}: a high-assurance session policy needs \`policyAction\` \`Block\` or \`RaiseSessionLevel\`${action ? `, not \`${action.value}\`` : ""}`,
  );
  return undefined;
}

/** The user the client-credentials flow runs as, when the flow is on; notes what review needs to check it. */
function readRunAsUser({ app, what }: AppInput, notes: ImportNotes): string | undefined {
  const credentials = notes.bool(app.clientCredentials, `the client-credentials flag of ${what}`);
  const user = app.runAsUser;
  if (credentials && user?.value) {
    notes.add(
      "warning",
      user.source,
      `${what} runs the client-credentials flow as \`${user.value}\`; declare that user (\`kind: User\`) so \`gatehouse review\` can check it is API-only`,
    );
    return user.value;
  }
  if (credentials)
    notes.add("warning", app.source, `${what} enables the client-credentials flow without a run-as user`);
  else if (user?.value)
    notes.add("ignored", user.source, `${what}: run-as user \`${user.value}\` (the client-credentials flow is off)`);
  return undefined;
}

/** Whether the app is disabled, or not enabled for OAuth: imported as blocked. */
function readBlocked({ app, what }: AppInput, notes: ImportNotes): boolean {
  const enabled = notes.bool(app.enabled, `\`isEnabled\` of ${what}`);
  const oauthEnabled = notes.bool(app.oauthEnabled, `\`isOauthPluginEnabled\` of ${what}`);
  const blocked = enabled === false || oauthEnabled === false;
  if (blocked)
    notes.add(
      "mapped",
      (enabled === false ? app.enabled : app.oauthEnabled)!.source,
      `${what} is ${enabled === false ? "disabled" : "not enabled for OAuth"}: imported as blocked`,
    );
  return blocked;
}
