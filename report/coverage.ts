import { familyWidth, formatAddress, type IpFamily } from "../core/address.js";
import { compareText } from "../compiler/diagnostics/diagnostic.js";
import { intervalToPrefixes } from "../compiler/lower/prefix-cover.js";
import type { AddressRange, PolicySet, ProfileModel } from "../compiler/validate/model.js";
import { relaxationText, GRANT_FAMILIES } from "./matrix.js";
import { rangeAtPointer } from "../compiler/validate/locate.js";
import type { SourceRef } from "./model.js";
import { rangeLabel } from "./subjects.js";

/** One range as declared, with where it came from. */
export interface CoverageEntry {
  readonly text: string;
  /** `network NAME` or the entry as written. */
  readonly label: string;
  readonly fromFeed: boolean;
  readonly family: IpFamily;
  readonly first: string;
  readonly last: string;
  readonly size: string;
  readonly source: SourceRef;
}

/** One merged interval, placed on its family's scale (percentages of the address space). */
export interface CoverageSpan {
  readonly family: IpFamily;
  readonly first: string;
  readonly last: string;
  readonly size: string;
  /** The CIDR prefixes the interval is exactly, or how many when there are more than four. */
  readonly prefixes: string;
  readonly left: string;
  readonly width: string;
}

/** Two declared entries of one list that share addresses. */
export interface CoverageOverlap {
  readonly a: string;
  readonly b: string;
  readonly size: string;
}

/** A connected app whose IP relaxation lets some request through from outside a profile's ranges. */
export interface CoverageRelaxation {
  readonly app: string;
  readonly relaxation: string;
  readonly effect: string;
  readonly source: SourceRef;
}

/** A profile's login IP ranges and what relaxes them. */
export interface ProfileCoverage {
  readonly profile: string;
  readonly restricted: boolean;
  readonly coversEverything: boolean;
  /** The first `LIST_LIMIT` entries; `entryCount` says how many there are. */
  readonly entries: readonly CoverageEntry[];
  readonly entryCount: number;
  readonly entriesMore: number;
  /** The first `LIST_LIMIT` merged intervals, for the table. */
  readonly merged: readonly CoverageSpan[];
  readonly mergedMore: number;
  /** The first `BAR_LIMIT` merged intervals, for the scale. */
  readonly bar: readonly CoverageSpan[];
  readonly totals: ReadonlyArray<{ readonly family: IpFamily; readonly size: string; readonly share: string }>;
  readonly overlaps: readonly CoverageOverlap[];
  readonly relaxedBy: readonly CoverageRelaxation[];
  readonly relaxedCount: number;
  readonly relaxedMore: number;
  readonly source: SourceRef;
}

/** Most rows a table of one profile lists; the page says how many more there are. */
export const LIST_LIMIT = 50;
/** Most intervals drawn on one profile's scale. */
export const BAR_LIMIT = 400;

/** A count of addresses in words: exact below a million, else a power of two. */
export function sizeText(count: bigint): string {
  if (count < 1_000_000n) return `${count.toLocaleString("en-US")} address${count === 1n ? "" : "es"}`;
  const bits = count.toString(2).length - 1;
  const exact = count === 1n << BigInt(bits);
  return `${exact ? "" : "≈ "}2^${bits} addresses`;
}

/** `part / whole` as a CSS percentage (fixed notation, which CSS always accepts). */
function cssPercent(part: bigint, whole: bigint): string {
  return `${((Number(part) / Number(whole)) * 100).toFixed(6).replace(/\.?0+$/, "")}%`;
}

/** `part / whole` as a percentage for people: three significant digits, tiny shares as `< 0.001%`. */
export function sharePercent(part: bigint, whole: bigint): string {
  const ratio = (Number(part) / Number(whole)) * 100;
  if (part === 0n) return "0%";
  if (ratio < 0.001) return "< 0.001%";
  return `${Number(ratio.toPrecision(3))}%`;
}

/** Merges overlapping and adjacent intervals of one family, sorted. */
export function mergeRanges(ranges: readonly AddressRange[]): Array<{ family: IpFamily; first: bigint; last: bigint }> {
  const sorted = [...ranges].sort(
    (a, b) => a.family - b.family || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0),
  );
  const out: Array<{ family: IpFamily; first: bigint; last: bigint }> = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.family === r.family && r.first <= prev.last + 1n) {
      if (r.last > prev.last) prev.last = r.last;
    } else out.push({ family: r.family, first: r.first, last: r.last });
  }
  return out;
}

function span(m: { family: IpFamily; first: bigint; last: bigint }): CoverageSpan {
  const space = 1n << BigInt(familyWidth(m.family));
  const prefixes = intervalToPrefixes(familyWidth(m.family), m);
  const size = m.last - m.first + 1n;
  return {
    family: m.family,
    first: formatAddress(m.family, m.first),
    last: formatAddress(m.family, m.last),
    size: sizeText(size),
    prefixes:
      prefixes.length <= 4
        ? prefixes.map((p) => `${formatAddress(m.family, p.value)}/${p.length}`).join(", ")
        : `${prefixes.length} prefixes`,
    left: cssPercent(m.first, space),
    width: cssPercent(size, space),
  };
}

function overlaps(ranges: readonly AddressRange[]): CoverageOverlap[] {
  const out: CoverageOverlap[] = [];
  const sorted = [...ranges].sort(
    (a, b) => a.family - b.family || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0),
  );
  for (let i = 0; i < sorted.length && out.length < LIST_LIMIT; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      if (b.family !== a.family || b.first > a.last) break;
      const last = a.last < b.last ? a.last : b.last;
      out.push({
        a: `${a.text} (${rangeLabel(a)})`,
        b: `${b.text} (${rangeLabel(b)})`,
        size: sizeText(last - b.first + 1n),
      });
    }
  }
  return out;
}

function relaxations(policy: PolicySet, profile: ProfileModel): CoverageRelaxation[] {
  const out: CoverageRelaxation[] = [];
  for (const app of [...policy.apps.values()].sort((a, b) => compareText(a.name, b.name))) {
    if (app.ipRelaxation === "ENFORCE" || app.blocked) continue;
    if (app.adminApproved && !app.profiles.includes(profile.name) && app.permissionSets.length === 0) continue;
    const effects = GRANT_FAMILIES.map((f) => relaxationText(app, f)).filter((t) => !/never|only$/.test(t));
    out.push({
      app: app.name,
      relaxation: app.ipRelaxation,
      effect: effects[0] ?? relaxationText(app, GRANT_FAMILIES[0]!),
      source: { file: app.source.file, line: app.source.line },
    });
  }
  return out;
}

/**
 * The IP coverage of every profile: its login IP ranges as declared (labelled by network and
 * feed), merged and placed on the scale of their address family, their overlaps, whether they
 * cover everything, and the connected apps whose relaxation can let requests past them.
 */
export function computeCoverage(policy: PolicySet): ProfileCoverage[] {
  return [...policy.profiles.values()]
    .sort((a, b) => compareText(a.name, b.name))
    .map((profile) => {
      const ranges = profile.loginIpRanges;
      const merged = mergeRanges(ranges);
      const totals = ([4, 6] as const).flatMap((family) => {
        const inFamily = merged.filter((m) => m.family === family);
        if (inFamily.length === 0) return [];
        const size = inFamily.reduce((acc, m) => acc + (m.last - m.first + 1n), 0n);
        return [{ family, size: sizeText(size), share: sharePercent(size, 1n << BigInt(familyWidth(family))) }];
      });
      const full = (family: IpFamily): boolean =>
        merged.some(
          (m) => m.family === family && m.first === 0n && m.last === (1n << BigInt(familyWidth(family))) - 1n,
        );
      const relaxedBy = ranges.length > 0 ? relaxations(policy, profile) : [];
      const spans = merged.slice(0, Math.max(LIST_LIMIT, BAR_LIMIT)).map(span);
      return {
        profile: profile.name,
        restricted: ranges.length > 0,
        coversEverything: full(4) || full(6),
        entryCount: ranges.length,
        entriesMore: Math.max(0, ranges.length - LIST_LIMIT),
        mergedMore: Math.max(0, merged.length - LIST_LIMIT),
        bar: spans.slice(0, BAR_LIMIT),
        relaxedCount: relaxedBy.length,
        relaxedMore: Math.max(0, relaxedBy.length - LIST_LIMIT),
        entries: ranges.slice(0, LIST_LIMIT).map((r) => ({
          text: r.text,
          label: rangeLabel(r),
          fromFeed: r.fromFeed,
          family: r.family,
          first: formatAddress(r.family, r.first),
          last: formatAddress(r.family, r.last),
          size: sizeText(r.last - r.first + 1n),
          source: { file: r.origin.doc.file.relPath, line: lineOf(r) },
        })),
        merged: spans.slice(0, LIST_LIMIT),
        totals,
        overlaps: overlaps(ranges),
        relaxedBy: relaxedBy.slice(0, LIST_LIMIT),
        source: { file: profile.source.file, line: profile.source.line },
      };
    });
}

/** The 1-based line of the YAML entry a range came from. */
function lineOf(range: AddressRange): number {
  const at = rangeAtPointer(range.origin.doc, range.origin.pointer);
  return at ? range.origin.doc.file.lines.linePos(at[0]).line : 1;
}
