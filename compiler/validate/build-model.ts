import type { Diagnostic, RelatedLocation } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { SourceSet } from "../load/index.js";
import type { SourceDoc } from "../load/yaml-document.js";
import type {
  AcknowledgementDeclaration,
  ConnectedAppDeclaration,
  NetworkDeclaration,
  OrgDeclaration,
  PermissionSetDeclaration,
  PermissionSetGroupDeclaration,
  ProfileDeclaration,
  SiteDeclaration,
  TestDeclaration,
  UserDeclaration,
} from "../../core/model.generated.js";
import type { Kind } from "../schemas.js";
import { declarationLine, diagnosticAtPointer, findNode } from "./locate.js";
import type {
  AcknowledgementModel,
  ConnectedAppModel,
  DeclSource,
  NetworkModel,
  OrgModel,
  PermissionSetGroupModel,
  PermissionSetModel,
  PolicySet,
  ProfileModel,
  SiteModel,
  TestModel,
  UserModel,
} from "./model.js";
import { RangeResolver, type DeclaredNetwork } from "./ranges.js";
import { spanOf } from "../load/yaml-document.js";

/** A schema-valid document, typed by its kind. */
export type ValidDoc =
  | { kind: "Org"; doc: SourceDoc; decl: OrgDeclaration }
  | { kind: "Network"; doc: SourceDoc; decl: NetworkDeclaration }
  | { kind: "Profile"; doc: SourceDoc; decl: ProfileDeclaration }
  | { kind: "PermissionSet"; doc: SourceDoc; decl: PermissionSetDeclaration }
  | { kind: "PermissionSetGroup"; doc: SourceDoc; decl: PermissionSetGroupDeclaration }
  | { kind: "ConnectedApp"; doc: SourceDoc; decl: ConnectedAppDeclaration }
  | { kind: "User"; doc: SourceDoc; decl: UserDeclaration }
  | { kind: "Site"; doc: SourceDoc; decl: SiteDeclaration }
  | { kind: "Test"; doc: SourceDoc; decl: TestDeclaration }
  | { kind: "Acknowledgement"; doc: SourceDoc; decl: AcknowledgementDeclaration };

const KIND_WORDS: Record<Kind, string> = {
  Org: "org",
  Network: "network",
  Profile: "profile",
  PermissionSet: "permission set",
  PermissionSetGroup: "permission set group",
  ConnectedApp: "connected app",
  User: "user",
  Site: "site",
  Test: "test",
  Acknowledgement: "acknowledgement",
};

function sourceOf(kind: Kind, name: string, doc: SourceDoc): DeclSource {
  return { kind, name, file: doc.file.relPath, line: declarationLine(doc) };
}

/** A related location pointing at the value of `pointer` in `doc`. */
export function relatedAt(doc: SourceDoc, pointer: string, message: string): RelatedLocation {
  const found = findNode(doc, pointer);
  const range = found.node?.range ?? found.nearest?.range;
  const span = spanOf(doc.file, range?.[0] ?? 0, range?.[1] ?? 0);
  return { file: doc.file.displayPath, message, ...span };
}

/** True when `text` (already `YYYY-MM-DD` by the schema) names a day of the proleptic Gregorian calendar. */
export function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function withLabel<T extends object>(base: T, label: string | undefined): T & { label?: string } {
  return label === undefined ? base : { ...base, label };
}

/** Adds the unseen facts of a declaration, when it lists any. */
function withUnseen<T extends object>(base: T, unseen: readonly string[] | undefined): T & { unseen?: string[] } {
  return unseen === undefined || unseen.length === 0 ? base : { ...base, unseen: [...unseen] };
}

/**
 * Builds the resolved policy set from schema-valid documents: unique names and client ids,
 * exactly one Org, every reference resolved (with a did-you-mean hint, or the declaration whose
 * label matched), every address list parsed and expanded. Reports, never throws.
 */
export function buildPolicySet(
  sources: SourceSet,
  docs: readonly ValidDoc[],
  report: (d: Diagnostic) => void,
  declaredButInvalid: (kind: Kind, name?: string) => boolean = () => false,
): PolicySet | undefined {
  const byKind = new Map<Kind, Map<string, ValidDoc>>();
  for (const d of docs) {
    const table = byKind.get(d.kind) ?? new Map<string, ValidDoc>();
    byKind.set(d.kind, table);
    const first = table.get(d.decl.name);
    if (first) {
      report({
        ...diagnosticAtPointer(d.doc, "/name", "GH200", `${KIND_WORDS[d.kind]} \`${d.decl.name}\` is declared twice`, {
          hint: "names are unique per kind; rename or merge one of them",
        }),
        related: [relatedAt(first.doc, "/name", "first declared here")],
      });
      continue;
    }
    table.set(d.decl.name, d);
  }
  const all = <K extends Kind>(kind: K): Array<Extract<ValidDoc, { kind: K }>> =>
    [...(byKind.get(kind)?.values() ?? [])] as Array<Extract<ValidDoc, { kind: K }>>;

  const orgs = all("Org");
  if (orgs.length !== 1) {
    if (orgs.length === 0 && !declaredButInvalid("Org")) {
      const first = sources.files[0];
      report({
        code: "GH203",
        severity: "error",
        message: "the policy set declares no `Org`",
        hint: "add a document with `kind: Org` holding the org-wide settings",
        file: first?.displayPath ?? sources.displayDir,
        pointer: "",
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
      });
    } else {
      for (const extra of orgs.slice(1)) {
        report({
          ...diagnosticAtPointer(
            extra.doc,
            "/kind",
            "GH203",
            `the policy set declares a second \`Org\` (\`${extra.decl.name}\`)`,
            {
              hint: "a policy set has exactly one Org",
            },
          ),
          related: [relatedAt(orgs[0]!.doc, "/kind", "the first Org")],
        });
      }
    }
  }

  const declaredNetworks = new Map<string, DeclaredNetwork>(
    all("Network").map((n) => [n.decl.name, { doc: n.doc, decl: n.decl }]),
  );
  const resolver = new RangeResolver(declaredNetworks, sources.feeds, report, (name) =>
    declaredButInvalid("Network", name),
  );

  const networks = new Map<string, NetworkModel>();
  for (const n of all("Network")) {
    const ranges = resolver.network(n.decl.name) ?? [];
    networks.set(
      n.decl.name,
      withLabel(
        { name: n.decl.name, source: sourceOf("Network", n.decl.name, n.doc), doc: n.doc, ranges },
        n.decl.label,
      ),
    );
  }

  const labelIndex = (kind: Kind): Map<string, string> => {
    const labels = new Map<string, string>();
    for (const d of byKind.get(kind)?.values() ?? []) {
      const label = (d.decl as { label?: string }).label;
      if (label !== undefined && !labels.has(label)) labels.set(label, d.decl.name);
    }
    return labels;
  };
  const labels: Partial<Record<Kind, Map<string, string>>> = {
    Profile: labelIndex("Profile"),
    PermissionSet: labelIndex("PermissionSet"),
    PermissionSetGroup: labelIndex("PermissionSetGroup"),
  };

  /** Checks one reference; reports an unknown one and says whether it resolved. */
  const resolves = (kind: Kind, name: string, doc: SourceDoc, pointer: string): boolean => {
    const table = byKind.get(kind);
    if (table?.has(name)) return true;
    if (declaredButInvalid(kind, name)) return false;
    const byLabel = labels[kind]?.get(name);
    const hint =
      byLabel !== undefined
        ? `\`${name}\` is the label of ${KIND_WORDS[kind]} \`${byLabel}\`; references use names, so write \`${byLabel}\``
        : didYouMean(name, table?.keys() ?? []);
    report(diagnosticAtPointer(doc, pointer, "GH202", `unknown ${KIND_WORDS[kind]} \`${name}\``, { hint }));
    return false;
  };
  const resolvedList = (kind: Kind, names: readonly string[] | undefined, doc: SourceDoc, pointer: string): string[] =>
    (names ?? []).filter((name, i) => resolves(kind, name, doc, `${pointer}/${i}`));

  const profiles = new Map<string, ProfileModel>();
  for (const p of all("Profile")) {
    const base = {
      name: p.decl.name,
      source: sourceOf("Profile", p.decl.name, p.doc),
      doc: p.doc,
      permissions: p.decl.permissions ?? [],
      loginIpRanges: resolver.resolveList(p.doc, "/loginIpRanges", p.decl.loginIpRanges),
    };
    let model: ProfileModel = p.decl.userLicense === undefined ? base : { ...base, userLicense: p.decl.userLicense };
    if (p.decl.standard === true) model = { ...model, standard: true };
    profiles.set(p.decl.name, withUnseen(withLabel(model, p.decl.label), p.decl.unseen));
  }

  const permissionSets = new Map<string, PermissionSetModel>();
  for (const s of all("PermissionSet")) {
    permissionSets.set(
      s.decl.name,
      withLabel(
        {
          name: s.decl.name,
          source: sourceOf("PermissionSet", s.decl.name, s.doc),
          doc: s.doc,
          permissions: s.decl.permissions ?? [],
        },
        s.decl.label,
      ),
    );
  }

  const permissionSetGroups = new Map<string, PermissionSetGroupModel>();
  for (const g of all("PermissionSetGroup")) {
    permissionSetGroups.set(
      g.decl.name,
      withUnseen(
        withLabel(
          {
            name: g.decl.name,
            source: sourceOf("PermissionSetGroup", g.decl.name, g.doc),
            doc: g.doc,
            permissionSets: resolvedList("PermissionSet", g.decl.permissionSets, g.doc, "/permissionSets"),
            mutingPermissions: g.decl.mutingPermissions ?? [],
          },
          g.decl.label,
        ),
        g.decl.unseen,
      ),
    );
  }

  const sites = new Map<string, SiteModel>();
  for (const s of all("Site")) {
    sites.set(
      s.decl.name,
      withLabel({ name: s.decl.name, source: sourceOf("Site", s.decl.name, s.doc), doc: s.doc }, s.decl.label),
    );
  }

  const users = new Map<string, UserModel>();
  for (const u of all("User")) {
    resolves("Profile", u.decl.profile, u.doc, "/profile");
    const base: UserModel = {
      name: u.decl.name,
      source: sourceOf("User", u.decl.name, u.doc),
      doc: u.doc,
      userType: u.decl.userType ?? "Standard",
      profile: u.decl.profile,
      permissionSets: resolvedList("PermissionSet", u.decl.permissionSets, u.doc, "/permissionSets"),
      permissionSetGroups: resolvedList(
        "PermissionSetGroup",
        u.decl.permissionSetGroups,
        u.doc,
        "/permissionSetGroups",
      ),
      integration: u.decl.integration ?? false,
    };
    users.set(
      u.decl.name,
      withLabel(u.decl.username === undefined ? base : { ...base, username: u.decl.username }, u.decl.label),
    );
  }

  const apps = new Map<string, ConnectedAppModel>();
  const clientOwners = new Map<string, { app: string; doc: SourceDoc; pointer: string }>();
  for (const a of all("ConnectedApp")) {
    const d = a.decl;
    (d.clientIds ?? []).forEach((clientId, i) => {
      const owner = clientOwners.get(clientId);
      const pointer = `/clientIds/${i}`;
      if (owner) {
        report({
          ...diagnosticAtPointer(
            a.doc,
            pointer,
            "GH201",
            `client id \`${clientId}\` of connected app \`${d.name}\` is also claimed by \`${owner.app}\``,
            {
              hint: "each consumer key belongs to exactly one app",
            },
          ),
          related: [relatedAt(owner.doc, owner.pointer, `claimed by \`${owner.app}\` here`)],
        });
      } else {
        clientOwners.set(clientId, { app: d.name, doc: a.doc, pointer });
      }
    });
    let model: ConnectedAppModel = {
      name: d.name,
      source: sourceOf("ConnectedApp", d.name, a.doc),
      doc: a.doc,
      clientIds: d.clientIds ?? [],
      installed: d.installed ?? true,
      blocked: d.blocked ?? false,
      adminApproved: (d.permittedUsers ?? "selfAuthorize") === "adminApproved",
      profiles: resolvedList("Profile", d.profiles, a.doc, "/profiles"),
      permissionSets: resolvedList("PermissionSet", d.permissionSets, a.doc, "/permissionSets"),
      ipRelaxation: d.ipRelaxation ?? "ENFORCE",
      trustedIpRanges: resolver.resolveList(a.doc, "/trustedIpRanges", d.trustedIpRanges),
      metadataType: "ConnectedApp",
    };
    if (d.sessionPolicy?.highAssurance) model = { ...model, highAssurance: d.sessionPolicy.highAssurance.action };
    if (d.sites !== undefined) model = { ...model, sites: resolvedList("Site", d.sites, a.doc, "/sites") };
    if (d.runAsUser !== undefined) model = { ...model, runAsUser: d.runAsUser };
    if (d.metadataType !== undefined) model = { ...model, metadataType: d.metadataType };
    apps.set(d.name, withLabel(model, d.label));
  }

  const tests = new Map<string, TestModel>();
  for (const t of all("Test")) {
    tests.set(
      t.decl.name,
      withLabel(
        {
          name: t.decl.name,
          source: sourceOf("Test", t.decl.name, t.doc),
          doc: t.doc,
          cases: t.decl.cases.map((c, i) => ({
            name: c.name,
            origin: { doc: t.doc, pointer: `/cases/${i}` },
            request: c.request ?? c.rawRequest,
            raw: c.request === undefined,
            expect: c.expect,
          })),
        },
        t.decl.label,
      ),
    );
  }

  const acknowledgements = new Map<string, AcknowledgementModel>();
  for (const k of all("Acknowledgement")) {
    const d = k.decl;
    let model: AcknowledgementModel = {
      name: d.name,
      source: sourceOf("Acknowledgement", d.name, k.doc),
      doc: k.doc,
      finding: d.finding,
      reason: d.reason,
    };
    if (d.subject !== undefined) {
      const { kind, name } = d.subject;
      if (kind === "Org") {
        const org = orgs[0]?.decl.name;
        if (org !== undefined && org !== name)
          report(
            diagnosticAtPointer(k.doc, "/subject/name", "GH202", `unknown org \`${name}\``, {
              hint: `the org is \`${org}\`; or omit \`subject\` for a finding about the org-wide settings`,
            }),
          );
      } else {
        resolves(kind, name, k.doc, "/subject/name");
      }
      model = { ...model, subject: { kind, name } };
    }
    if (d.match !== undefined) {
      if (d.match.name === undefined && d.match.userLicense === undefined)
        report(
          diagnosticAtPointer(k.doc, "/match", "GH222", `acknowledgement \`${d.name}\` matches every declaration`, {
            anchor: "key",
            hint: "give `match` a `name` glob or a `userLicense`, or name one `subject`",
          }),
        );
      model = { ...model, match: d.match };
    }
    if (d.expires !== undefined) {
      if (!isCalendarDate(d.expires))
        report(
          diagnosticAtPointer(k.doc, "/expires", "GH105", `\`${d.expires}\` is not a calendar date`, {
            hint: "write the last day the acknowledgement holds as `YYYY-MM-DD`",
          }),
        );
      model = { ...model, expires: d.expires };
    }
    acknowledgements.set(d.name, withLabel(model, d.label));
  }

  const orgDoc = orgs[0];
  if (!orgDoc) return undefined;
  const o = orgDoc.decl;
  let org: OrgModel = {
    name: o.name,
    source: sourceOf("Org", o.name, orgDoc.doc),
    doc: orgDoc.doc,
    allowlistedAppsOnly: o.apiAccessControl?.allowlistedAppsOnly ?? false,
    customersAndPartnersInstalledAppsOnly: o.apiAccessControl?.customersAndPartnersInstalledAppsOnly ?? false,
    enforceLoginIpRangesEveryRequest: o.session?.enforceLoginIpRangesEveryRequest ?? false,
    lockSessionsToIp: o.session?.lockSessionsToIp ?? false,
    trustedIpRanges: resolver.resolveList(orgDoc.doc, "/trustedIpRanges", o.trustedIpRanges),
  };
  if (o.edition !== undefined) org = { ...org, edition: o.edition };
  org = withUnseen(withLabel(org, o.label), o.unseen);

  return {
    org,
    networks,
    profiles,
    permissionSets,
    permissionSetGroups,
    apps,
    users,
    sites,
    tests,
    acknowledgements,
    feeds: resolver.feedUses,
    fileHashes: sources.fileHashes,
  };
}
