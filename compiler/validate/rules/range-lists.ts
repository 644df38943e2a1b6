import { familyWidth, isMappedV6 } from "../../../core/address.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { relatedAt } from "../build-model.js";
import { diagnosticAtPointer } from "../locate.js";
import type { SourceDoc } from "../../load/yaml-document.js";
import type { AddressRange, PolicySet } from "../model.js";
import type { Rule } from "./rule.js";

/** Overlap warnings per list beyond which one summary is reported instead. */
export const MAX_OVERLAP_REPORTS = 25;

const MAPPED_FIRST = 0xffffn << 32n;
const MAPPED_LAST = MAPPED_FIRST | 0xffffffffn;

interface NamedList {
  readonly what: string;
  /** The declaration that owns the list; overlaps wholly inside a named network belong to that network. */
  readonly doc: SourceDoc;
  readonly ranges: readonly AddressRange[];
}

function listsOf(policy: PolicySet): NamedList[] {
  const org = policy.org;
  const lists: NamedList[] = [
    { what: `the trusted IP ranges of org \`${org.name}\``, doc: org.doc, ranges: org.trustedIpRanges },
  ];
  for (const p of policy.profiles.values()) {
    lists.push({ what: `the login IP ranges of profile \`${p.name}\``, doc: p.doc, ranges: p.loginIpRanges });
  }
  for (const a of policy.apps.values()) {
    lists.push({ what: `the trusted IP ranges of connected app \`${a.name}\``, doc: a.doc, ranges: a.trustedIpRanges });
  }
  for (const n of policy.networks.values()) lists.push({ what: `network \`${n.name}\``, doc: n.doc, ranges: n.ranges });
  return lists;
}

function sameOrigin(a: AddressRange, b: AddressRange): boolean {
  return a.origin.doc === b.origin.doc && a.origin.pointer === b.origin.pointer;
}

function overlaps(list: NamedList, report: (d: Diagnostic) => void): void {
  const written = list.ranges.filter((r) => !r.fromFeed);
  for (const family of [4, 6] as const) {
    const sorted = written
      .filter((r) => r.family === family)
      .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.last > b.last ? -1 : 1));
    let widest: AddressRange | undefined;
    let reported = 0;
    let suppressed = 0;
    for (const r of sorted) {
      const ours = widest !== undefined && (r.origin.doc === list.doc || widest.origin.doc === list.doc);
      if (widest && ours && r.first <= widest.last && !sameOrigin(r, widest)) {
        if (reported < MAX_OVERLAP_REPORTS) {
          const shadowed = r.last <= widest.last;
          report({
            ...diagnosticAtPointer(
              r.origin.doc,
              r.origin.pointer,
              "GH300",
              shadowed
                ? `\`${r.text}\` in ${list.what} is already covered by \`${widest.text}\``
                : `\`${r.text}\` in ${list.what} overlaps \`${widest.text}\``,
              { hint: shadowed ? "remove the shadowed range" : "merge the two ranges into one" },
            ),
            related: [relatedAt(widest.origin.doc, widest.origin.pointer, `\`${widest.text}\` is here`)],
          });
          reported++;
        } else {
          suppressed++;
        }
      }
      if (!widest || r.last > widest.last) widest = r;
    }
    if (suppressed > 0 && widest) {
      report(
        diagnosticAtPointer(
          widest.origin.doc,
          widest.origin.pointer,
          "GH300",
          `${list.what} has ${suppressed} more overlapping ranges not listed`,
          {
            hint: `only the first ${MAX_OVERLAP_REPORTS} overlaps of a list are reported`,
          },
        ),
      );
    }
  }
}

function coverage(list: NamedList, report: (d: Diagnostic) => void): void {
  // The last address of each family, computed once per list rather than per range.
  const last = { 4: (1n << BigInt(familyWidth(4))) - 1n, 6: (1n << BigInt(familyWidth(6))) - 1n };
  for (const r of list.ranges) {
    if (r.fromFeed || r.origin.doc !== list.doc) continue;
    const full = last[r.family];
    if (r.first === 0n && r.last === full) {
      report(
        diagnosticAtPointer(
          r.origin.doc,
          r.origin.pointer,
          "GH301",
          `\`${r.text}\` in ${list.what} covers every IPv${r.family} address, so it restricts nothing`,
          {
            hint: "list the networks requests really come from",
          },
        ),
      );
    } else if (
      r.family === 6 &&
      r.first <= MAPPED_LAST &&
      r.last >= MAPPED_FIRST &&
      !(isMappedV6(r.first) && isMappedV6(r.last))
    ) {
      report(
        diagnosticAtPointer(
          r.origin.doc,
          r.origin.pointer,
          "GH302",
          `\`${r.text}\` in ${list.what} contains part of the IPv4-mapped block \`::ffff:0:0/96\`, which never matches`,
          {
            hint: "IPv4 clients (also when written `::ffff:a.b.c.d`) are matched only by IPv4 ranges; list those explicitly",
          },
        ),
      );
    }
  }
}

/** Overlapping, all-covering and mapped-block ranges inside one address list. */
export const rangeLists: Rule = {
  name: "range-lists",
  check(policy, report) {
    // Lists that name the same networks are one shared array: find each array's documents once.
    const docsOf = new Map<readonly AddressRange[], Set<SourceDoc>>();
    for (const list of listsOf(policy)) {
      let docs = docsOf.get(list.ranges);
      if (!docs) {
        docs = new Set(list.ranges.map((r) => r.origin.doc));
        docsOf.set(list.ranges, docs);
      }
      // Both checks report only ranges written in the list's own document; a list made only of
      // networks has none, and each network is checked as a list of its own.
      if (!docs.has(list.doc)) continue;
      overlaps(list, report);
      coverage(list, report);
    }
  },
};
