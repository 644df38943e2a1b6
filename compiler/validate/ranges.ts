import {
  isMappedV6,
  parseAddress,
  parseAddressRaw,
  parsePrefix,
  prefixBounds,
  type IpFamily,
  type ParseResult,
} from "../../core/address.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { feedPath, type FeedFile } from "../load/index.js";
import type { SourceDoc } from "../load/yaml-document.js";
import type { IpRange, NetworkDeclaration, NetworkFeedEntry } from "../../core/model.generated.js";
import { diagnosticAtPointer } from "./locate.js";
import type { AddressRange, FeedUse } from "./model.js";
import { readAwsFeed, type FeedPrefix } from "./feeds.js";

const MAPPED_FIRST = 0xffffn << 32n;
const MAPPED_LAST = MAPPED_FIRST | 0xffffffffn;

/** A network as declared, before its entries are resolved. */
export interface DeclaredNetwork {
  readonly doc: SourceDoc;
  readonly decl: NetworkDeclaration;
}

function problemCode(result: ParseResult<unknown>): DiagnosticCode {
  if (result.ok) return "GH210";
  return result.problem === "host-bits" ? "GH211" : result.problem === "prefix-length" ? "GH212" : "GH210";
}

/**
 * Resolves address lists: parses every entry strictly, expands networks (memoized, reporting
 * cycles) and provider feeds, and reports every mistake at its YAML position.
 */
export class RangeResolver {
  private readonly resolved = new Map<string, readonly AddressRange[] | undefined>();
  private readonly resolving: string[] = [];
  private readonly feedCache = new Map<string, readonly FeedPrefix[] | string>();
  readonly feedUses: FeedUse[] = [];
  /** Errors reported (or, for unreadable feeds, already reported by `load`) so far. */
  private failures = 0;

  constructor(
    private readonly networks: ReadonlyMap<string, DeclaredNetwork>,
    private readonly feeds: ReadonlyMap<string, FeedFile>,
    private readonly sink: (d: Diagnostic) => void,
    /** True for a network name declared by a document that failed validation. */
    private readonly declaredButInvalid: (name: string) => boolean = () => false,
  ) {}

  private report(d: Diagnostic): void {
    if (d.severity === "error") this.failures++;
    this.sink(d);
  }

  /** Resolves the list at `pointer` of `doc`; entries that fail are reported and left out. */
  resolveList(doc: SourceDoc, pointer: string, entries: readonly IpRange[] | undefined): readonly AddressRange[] {
    const names = this.onlyKnownNetworks(entries);
    const shared = names === undefined ? undefined : this.sharedLists.get(names);
    if (shared) return shared;
    const out: AddressRange[] = [];
    (entries ?? []).forEach((entry, i) => {
      for (const range of this.resolveEntry(doc, `${pointer}/${i}`, entry)) out.push(range);
    });
    if (names !== undefined) this.sharedLists.set(names, out);
    return out;
  }

  /**
   * Lists that name only declared networks, by those names: such a list resolves to the same
   * ranges wherever it is written and reports nothing of its own, so every profile that names
   * the same networks shares one list (and later stages can see that by identity).
   */
  private readonly sharedLists = new Map<string, readonly AddressRange[]>();

  private onlyKnownNetworks(entries: readonly IpRange[] | undefined): string | undefined {
    if (!entries || entries.length === 0 || this.resolving.length > 0) return undefined;
    const names: string[] = [];
    for (const entry of entries) {
      if (typeof entry !== "object" || !("network" in entry) || !this.networks.has(entry.network)) return undefined;
      names.push(entry.network);
    }
    return names.join("\u0000");
  }

  /** Every range of the named network, or undefined when it is unknown or part of a cycle. */
  network(name: string): readonly AddressRange[] | undefined {
    if (this.resolved.has(name)) return this.resolved.get(name);
    const declared = this.networks.get(name);
    if (!declared) return undefined;
    if (this.resolving.includes(name)) return undefined;
    this.resolving.push(name);
    const failuresBefore = this.failures;
    const ranges: AddressRange[] = [];
    (declared.decl.ranges ?? []).forEach((entry, i) => {
      const pointer = `/ranges/${i}`;
      if (typeof entry === "object" && entry !== null && "feed" in entry) {
        ranges.push(...this.resolveFeed(declared.doc, pointer, entry, name));
      } else {
        ranges.push(...this.resolveEntry(declared.doc, pointer, entry));
      }
    });
    this.resolving.pop();
    // A network emptied by its own broken entries is explained by their errors already.
    if (ranges.length === 0 && this.failures === failuresBefore && !this.hasCycleThrough(name)) {
      this.report(
        diagnosticAtPointer(declared.doc, "/ranges", "GH216", `network \`${name}\` has no addresses`, {
          anchor: "key",
          hint: "add ranges, or correct the feed filter that matched nothing",
        }),
      );
    }
    this.resolved.set(name, ranges);
    return ranges;
  }

  private readonly cyclic = new Set<string>();

  private hasCycleThrough(name: string): boolean {
    return this.cyclic.has(name);
  }

  private resolveEntry(doc: SourceDoc, pointer: string, entry: IpRange): AddressRange[] {
    if (typeof entry === "string") return this.resolveCidr(doc, pointer, entry);
    if ("cidr" in entry) return this.resolveCidr(doc, `${pointer}/cidr`, entry.cidr);
    if ("network" in entry) return this.resolveNetworkRef(doc, pointer, entry.network);
    return this.resolveStartEnd(doc, pointer, entry.start, entry.end);
  }

  private resolveNetworkRef(doc: SourceDoc, pointer: string, name: string): AddressRange[] {
    if (!this.networks.has(name)) {
      if (this.declaredButInvalid(name)) return [];
      this.report(
        diagnosticAtPointer(doc, `${pointer}/network`, "GH202", `unknown network \`${name}\``, {
          hint: didYouMean(name, this.networks.keys()),
        }),
      );
      return [];
    }
    if (this.resolving.includes(name)) {
      const cycle = [...this.resolving.slice(this.resolving.indexOf(name)), name];
      for (const member of cycle) this.cyclic.add(member);
      this.report(
        diagnosticAtPointer(
          doc,
          `${pointer}/network`,
          "GH217",
          `networks refer to each other in a cycle: ${cycle.map((n) => `\`${n}\``).join(" → ")}`,
          {
            hint: "a network may include other networks, but never itself through them",
          },
        ),
      );
      return [];
    }
    return [...(this.network(name) ?? [])];
  }

  private resolveCidr(doc: SourceDoc, pointer: string, text: string): AddressRange[] {
    if (!text.includes("/")) {
      const addr = parseAddress(text);
      if (!addr.ok) {
        this.report(diagnosticAtPointer(doc, pointer, problemCode(addr), addr.error, { hint: addr.hint }));
        return [];
      }
      return [
        {
          family: addr.value.family,
          first: addr.value.value,
          last: addr.value.value,
          text,
          origin: { doc, pointer },
          fromFeed: false,
        },
      ];
    }
    const prefix = parsePrefix(text);
    if (!prefix.ok) {
      this.report(diagnosticAtPointer(doc, pointer, problemCode(prefix), prefix.error, { hint: prefix.hint }));
      return [];
    }
    const { first, last } = prefixBounds(prefix.value);
    return [{ family: prefix.value.family, first, last, text, origin: { doc, pointer }, fromFeed: false }];
  }

  private resolveStartEnd(doc: SourceDoc, pointer: string, startText: string, endText: string): AddressRange[] {
    const start = parseAddressRaw(startText);
    const end = parseAddressRaw(endText);
    if (!start.ok)
      this.report(diagnosticAtPointer(doc, `${pointer}/start`, "GH210", start.error, { hint: start.hint }));
    if (!end.ok) this.report(diagnosticAtPointer(doc, `${pointer}/end`, "GH210", end.error, { hint: end.hint }));
    if (!start.ok || !end.ok) return [];
    const text = `${startText}–${endText}`;
    const mapped = (a: { family: IpFamily; value: bigint }): boolean => a.family === 6 && isMappedV6(a.value);
    const norm = (a: { family: IpFamily; value: bigint }): { family: IpFamily; value: bigint } =>
      mapped(a) ? { family: 4, value: a.value & 0xffffffffn } : a;
    const straddles = (): Diagnostic =>
      diagnosticAtPointer(
        doc,
        pointer,
        "GH215",
        `range \`${text}\` straddles the IPv4-mapped block \`::ffff:0:0/96\``,
        {
          hint: "split it at the block boundary: IPv4 ranges and IPv6 ranges are separate",
        },
      );
    const s = start.value;
    const e = end.value;
    // Both ends IPv6, one inside the mapped block and one outside.
    if (s.family === 6 && e.family === 6 && mapped(s) !== mapped(e)) {
      this.report(straddles());
      return [];
    }
    const a = norm(s);
    const b = norm(e);
    if (a.family !== b.family) {
      this.report(
        diagnosticAtPointer(doc, pointer, "GH214", `range \`${text}\` mixes IPv4 and IPv6`, {
          hint: "use one range per family",
        }),
      );
      return [];
    }
    if (a.value > b.value) {
      this.report(
        diagnosticAtPointer(doc, pointer, "GH213", `range \`${text}\` starts after it ends`, {
          hint: `write \`{start: ${endText}, end: ${startText}}\``,
        }),
      );
      return [];
    }
    // Both ends IPv6 outside the mapped block, with the block in between.
    if (a.family === 6 && a.value <= MAPPED_LAST && b.value >= MAPPED_FIRST) {
      this.report(straddles());
      return [];
    }
    return [{ family: a.family, first: a.value, last: b.value, text, origin: { doc, pointer }, fromFeed: false }];
  }

  private resolveFeed(doc: SourceDoc, pointer: string, entry: NetworkFeedEntry, network: string): AddressRange[] {
    const feed = entry.feed;
    const relPath = feedPath(doc.file.relPath, feed.file);
    const file = this.feeds.get(relPath);
    // INVARIANT: load reported every feed file it could not read; nothing more to say here.
    if (!file) {
      this.failures++;
      return [];
    }
    const at = `${pointer}/feed`;
    if (feed.sha256 !== undefined && feed.sha256 !== file.sha256) {
      this.report(
        diagnosticAtPointer(
          doc,
          `${at}/sha256`,
          "GH218",
          `feed file \`${feed.file}\` has SHA-256 \`${file.sha256}\`, not the pinned \`${feed.sha256}\``,
          {
            hint: "review the feed change, then update `sha256`",
          },
        ),
      );
      return [];
    }
    let prefixes = this.feedCache.get(relPath);
    if (prefixes === undefined) {
      prefixes = readAwsFeed(file.text);
      this.feedCache.set(relPath, prefixes);
    }
    if (typeof prefixes === "string") {
      this.report(diagnosticAtPointer(doc, `${at}/file`, "GH218", `feed file \`${feed.file}\` ${prefixes}`));
      return [];
    }
    const match = (wanted: readonly string[] | undefined, actual: string): boolean =>
      wanted === undefined || wanted.includes(actual);
    const kept = prefixes.filter(
      (p) =>
        match(feed.regions, p.region) &&
        match(feed.services, p.service) &&
        match(feed.networkBorderGroups, p.networkBorderGroup) &&
        (feed.families === undefined || feed.families.includes(p.prefix.family)),
    );
    this.feedUses.push({ file, network, kept: kept.length });
    return kept.map((p) => {
      const { first, last } = prefixBounds(p.prefix);
      return { family: p.prefix.family, first, last, text: p.text, origin: { doc, pointer }, fromFeed: true };
    });
  }
}
