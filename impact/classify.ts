/**
 * Turns the changed request classes into the admin's terms: rows of one kind (access gained,
 * access lost, reasons changed, notes changed), each a product of the values it lists (so every
 * request the row describes changed the same way), merged one dimension at a time, citing the
 * declarations behind the change, and sorted by risk.
 */
import { familyWidth } from "../core/address.js";
import { compareText } from "../compiler/diagnostics/diagnostic.js";
import type { IrConnectedApp } from "../compiler/lower/ir.js";
import type { Decision } from "../wasm/decision.js";
import { cachedDecisionKey, decisionKey, type DecidedChange, type DiffResult } from "./decide.js";
import { requestOf, type AppClass, type UserTypeClass, type Variant } from "./enumerate.js";
import type { AddressClass } from "./regions.js";
import { mergeSpans, type AddressSpan } from "./regions.js";
import { grantorsOf, type UserGrantors } from "./user-grantors.js";
import { withoutPlace, type Place, type VersionIndex } from "./version.js";

/** The kinds of change, most risky first. */
export const CHANGE_KINDS = ["gained", "lost", "reasons", "notes"] as const;
/** A kind of change: access gained, access lost, other deny reasons, other notes. */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** A declaration a change rests on, with where it is written in each version. */
export interface Citation {
  readonly kind: string;
  readonly name: string;
  readonly base?: Place;
  readonly head?: Place;
  /** Whether its data differ between the versions. */
  readonly changed: boolean;
}

/** One row of the report: every combination of the listed values changed from `base` to `head`. */
export interface ImpactRow extends UserGrantors {
  readonly kind: ChangeKind;
  readonly app: AppClass;
  readonly userTypes: readonly UserTypeClass[];
  readonly channels: ReadonlyArray<"api" | "ui">;
  readonly grants: readonly string[];
  readonly logins: readonly boolean[];
  readonly variants: readonly Variant[];
  readonly addresses: readonly AddressSpan[];
  readonly base: Decision;
  readonly head: Decision;
  /** Request classes the row stands for. */
  readonly classes: number;
  /** One request of the row, to reproduce it with `gatehouse eval`. */
  readonly example: Record<string, unknown>;
  readonly citations: readonly Citation[];
}

/** The classified report. */
export interface ImpactReport {
  readonly rows: readonly ImpactRow[];
  readonly counts: Readonly<Record<ChangeKind, number>>;
}

const kinds = new WeakMap<Decision, Map<Decision, ChangeKind>>();

/** `changeKind`, computed once per pair of decision objects. */
function cachedChangeKind(base: Decision, head: Decision): ChangeKind {
  let byHead = kinds.get(base);
  if (!byHead) kinds.set(base, (byHead = new Map<Decision, ChangeKind>()));
  let kind = byHead.get(head);
  if (kind === undefined) byHead.set(head, (kind = changeKind(base, head)));
  return kind;
}

/** The kind of change between two decisions that differ. */
export function changeKind(base: Decision, head: Decision): ChangeKind {
  if (!base.allow && head.allow) return "gained";
  if (base.allow && !head.allow) return "lost";
  const reasons = (d: Decision): string => decisionKey({ ...d, notes: [] });
  return reasons(base) !== reasons(head) ? "reasons" : "notes";
}

/** A row being merged, with the key of its outcome computed once. */
type Draft = Omit<ImpactRow, "citations"> & { readonly outcome: string; readonly addressKey: string };

const sortedUnique = <T>(values: readonly T[], key: (v: T) => string): T[] => {
  const byKey = new Map(values.map((v) => [key(v), v]));
  return [...byKey.keys()].sort(compareText).map((k) => byKey.get(k)!);
};

function draftOf(c: DecidedChange, classId: (region: AddressClass) => number): Draft {
  return {
    addressKey: String(classId(c.cls.region)),
    outcome: JSON.stringify([
      c.cls.profile,
      c.cls.permissionSets,
      c.cls.permissionSetGroups,
      c.cls.app.clientId,
      cachedDecisionKey(c.base),
      cachedDecisionKey(c.head),
    ]),
    kind: cachedChangeKind(c.base, c.head),
    ...grantorsOf(c.cls),
    app: c.cls.app,
    userTypes: [c.cls.userType],
    channels: [c.cls.channel],
    grants: [c.cls.grant],
    logins: [c.cls.login],
    variants: [c.cls.variant],
    addresses: c.cls.region.spans,
    base: c.base,
    head: c.head,
    classes: 1,
    example: requestOf(c.cls),
  };
}

type Dimension = "addresses" | "grants" | "logins" | "variants" | "userTypes" | "channels";

const dimensionKey: Record<Dimension, (row: Draft) => string> = {
  addresses: (r) => r.addressKey,
  grants: (r) => r.grants.join(","),
  logins: (r) => r.logins.join(","),
  variants: (r) => JSON.stringify(r.variants),
  userTypes: (r) => r.userTypes.map((u) => u.label).join(","),
  channels: (r) => r.channels.join(","),
};

const DIMENSIONS: readonly Dimension[] = ["addresses", "grants", "logins", "variants", "userTypes", "channels"];

function rowKey(r: Draft, except: Dimension): string {
  let key = r.outcome;
  for (const d of DIMENSIONS) if (d !== except) key += `\u0000${dimensionKey[d](r)}`;
  return key;
}

/** The values of `dim` of every row of a group, in order (logins: each once, true first). */
function mergeValues(dim: Dimension, group: readonly Draft[]): Partial<Draft> {
  switch (dim) {
    case "addresses":
      throw new Error("mergeValues: addresses are merged by mergeAddresses");
    case "grants":
      return { grants: group.flatMap((r) => r.grants) };
    case "logins":
      return {
        logins: sortedUnique(
          group.flatMap((r) => r.logins),
          String,
        ).reverse(),
      };
    case "variants":
      return { variants: group.flatMap((r) => r.variants) };
    case "userTypes":
      return { userTypes: group.flatMap((r) => r.userTypes) };
    case "channels":
      return { channels: group.flatMap((r) => r.channels) };
  }
}

/**
 * Merges the addresses of rows, keyed by what they cover however they were cut. The result
 * depends only on the set of the rows' address keys, so it is computed once per such set; the
 * key of what the merged spans cover is a short id, one per distinct covering.
 */
class AddressMerger {
  private readonly byKeys = new Map<string, { addresses: readonly AddressSpan[]; addressKey: string }>();
  private readonly byContent = new Map<string, string>();

  merge(group: readonly Draft[]): { addresses: readonly AddressSpan[]; addressKey: string } {
    const keys = [...new Set(group.map((r) => r.addressKey))].sort().join(",");
    let found = this.byKeys.get(keys);
    if (!found) {
      const addresses = mergeSpans(group.flatMap((r) => r.addresses));
      const content = addresses.map((a) => `${a.family}/${a.first}/${a.last}`).join(",");
      let addressKey = this.byContent.get(content);
      if (addressKey === undefined) this.byContent.set(content, (addressKey = `m${this.byContent.size}`));
      found = { addresses, addressKey };
      this.byKeys.set(keys, found);
    }
    return found;
  }
}

/** Merges rows that differ only in `dim` into one row listing every value of it. */
function mergeAlong(rows: readonly Draft[], dim: Dimension, addresses: AddressMerger): Draft[] {
  const groups = new Map<string, Draft[]>();
  for (const row of rows) {
    const key = rowKey(row, dim);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const classes = group.reduce((n, r) => n + r.classes, 0);
    if (dim === "addresses") return { ...first, classes, ...addresses.merge(group) };
    if (group.length === 1) return first;
    return { ...first, ...mergeValues(dim, group), classes };
  });
}

/** Whether a declaration's data differ between the versions, each comparison made once. */
class ChangedDeclarations {
  private readonly memo = new Map<string, boolean>();
  readonly org: boolean;

  constructor(
    private readonly base: VersionIndex,
    private readonly head: VersionIndex,
  ) {
    this.org = withoutPlace(base.org) !== withoutPlace(head.org);
  }

  private once(key: string, differ: () => boolean): boolean {
    let found = this.memo.get(key);
    if (found === undefined) this.memo.set(key, (found = differ()));
    return found;
  }

  profile(name: string): boolean {
    return this.once(`Profile\u0000${name}`, () => {
      return withoutPlace(this.base.profiles.get(name)) !== withoutPlace(this.head.profiles.get(name));
    });
  }

  /** Whether the app a client id names differs (its client ids aside). */
  app(clientId: string): boolean {
    return this.once(`ConnectedApp\u0000${clientId}`, () => {
      const strip = (a: IrConnectedApp | undefined): string => (a ? withoutPlace({ ...a, clientIds: [] }) : "absent");
      return strip(this.base.apps.get(clientId)) !== strip(this.head.apps.get(clientId));
    });
  }

  permissionSet(name: string): boolean {
    return this.once(`PermissionSet\u0000${name}`, () => {
      return JSON.stringify(this.base.permissionSets.get(name)) !== JSON.stringify(this.head.permissionSets.get(name));
    });
  }

  permissionSetGroup(name: string): boolean {
    return this.once(`PermissionSetGroup\u0000${name}`, () => {
      const { base, head } = this;
      return JSON.stringify(base.permissionSetGroups.get(name)) !== JSON.stringify(head.permissionSetGroups.get(name));
    });
  }
}

function cite(
  row: Omit<ImpactRow, "citations">,
  changes: ChangedDeclarations,
  base: VersionIndex,
  head: VersionIndex,
): Citation[] {
  const out = new Map<string, Citation>();
  const add = (kind: string, name: string, changed: boolean): void => {
    const key = `${kind}\u0000${name}`;
    const before = out.get(key);
    const b = base.place(kind, name);
    const h = head.place(kind, name);
    out.set(key, {
      kind,
      name,
      ...(b ? { base: b } : {}),
      ...(h ? { head: h } : {}),
      changed: changed || before?.changed === true,
    });
  };
  for (const r of [...row.base.reasons, ...row.head.reasons]) if (r.source) add(r.source.kind, r.source.name, false);
  if (changes.org) add("Org", head.org.name, true);
  if (changes.profile(row.profile)) add("Profile", row.profile, true);
  if (row.app.clientId !== null && changes.app(row.app.clientId)) {
    const baseApp = base.apps.get(row.app.clientId);
    const headApp = head.apps.get(row.app.clientId);
    if (baseApp) add("ConnectedApp", baseApp.name, true);
    if (headApp) add("ConnectedApp", headApp.name, true);
  }
  for (const set of row.permissionSets) if (changes.permissionSet(set)) add("PermissionSet", set, true);
  for (const group of row.permissionSetGroups)
    if (changes.permissionSetGroup(group)) add("PermissionSetGroup", group, true);
  return [...out.values()].sort((a, b) => Number(b.changed) - Number(a.changed) || compareText(a.kind, b.kind));
}

/** The share of the address space spans cover (IPv4 and IPv6 weighed alike), once per list of spans. */
const shares = new WeakMap<readonly AddressSpan[], number>();
function shareOf(spans: readonly AddressSpan[]): number {
  let share = shares.get(spans);
  if (share === undefined) {
    share = 0;
    for (const s of spans) share += Number(s.last - s.first + 1n) / 2 ** familyWidth(s.family);
    shares.set(spans, share);
  }
  return share;
}

/** The share of the address space a row covers (IPv4 and IPv6 weighed alike), for sorting by risk. */
function breadth(row: ImpactRow): number {
  const share = shareOf(row.addresses);
  return (
    row.grants.length * row.logins.length * row.userTypes.length * row.channels.length * row.variants.length * share
  );
}

/** Classifies and merges the changes of a diff into report rows, most risky first. */
export function classify(result: DiffResult): ImpactReport {
  // One id per distinct set of addresses (classes cut from different sets may hold the same addresses).
  const byObject = new Map<AddressClass, number>();
  const byContent = new Map<string, number>();
  const classId = (region: AddressClass): number => {
    let id = byObject.get(region);
    if (id === undefined) {
      const content = region.spans.map((s) => `${s.family}/${s.first}/${s.last}`).join(",");
      id = byContent.get(content);
      if (id === undefined) byContent.set(content, (id = byContent.size));
      byObject.set(region, id);
    }
    return id;
  };
  let rows = result.changes.map((c) => draftOf(c, classId));
  const merger = new AddressMerger();
  for (const dim of DIMENSIONS) rows = mergeAlong(rows, dim, merger);
  const changes = new ChangedDeclarations(result.base, result.head);
  const full: ImpactRow[] = rows.map(({ outcome: _outcome, addressKey: _key, ...r }) => ({
    ...r,
    citations: cite(r, changes, result.base, result.head),
  }));
  const breadths = new Map(full.map((r) => [r, breadth(r)]));
  full.sort(
    (a, b) =>
      CHANGE_KINDS.indexOf(a.kind) - CHANGE_KINDS.indexOf(b.kind) ||
      breadths.get(b)! - breadths.get(a)! ||
      compareText(a.profile, b.profile) ||
      compareText(a.app.clientId ?? "", b.app.clientId ?? ""),
  );
  const counts = { gained: 0, lost: 0, reasons: 0, notes: 0 };
  for (const r of full) counts[r.kind] += r.classes;
  return { rows: full, counts };
}
