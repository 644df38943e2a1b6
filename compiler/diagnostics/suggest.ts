/** The edit distance between two strings (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The enums whose values grant different amounts of access, each listed from the least to the
 * most permissive. A suggestion among equally close values of one of these never picks the more
 * permissive one. A test checks that each list is exactly its schema's enum.
 */
export const SECURITY_ENUMS: Readonly<Record<string, readonly string[]>> = {
  ipRelaxation: ["ENFORCE", "ENFORCE_RELAXREFRESH", "BYPASS_2FACTOR", "BYPASS"],
  permittedUsers: ["adminApproved", "selfAuthorize"],
  highAssuranceAction: ["block", "stepUp"],
};

/** The least-to-most permissive order of `candidates` when they are one security-relevant enum. */
function permissiveness(candidates: readonly string[]): readonly string[] | undefined {
  const set = new Set(candidates);
  return Object.values(SECURITY_ENUMS).find((order) => order.length === set.size && order.every((v) => set.has(v)));
}

/** The candidates likely meant by `wanted`, closest first, with how close they are. */
interface Ranked {
  readonly candidate: string;
  readonly distance: number;
}

/**
 * Every candidate close enough to `wanted` to be a likely typo (a case-insensitive match, a
 * prefix either way of at least three characters, or an edit distance of at most a third of the
 * longer string), ranked by case-insensitive edit distance first.
 */
function rank(wanted: string, candidates: readonly string[]): Ranked[] {
  const lower = wanted.toLowerCase();
  const near: Ranked[] = [];
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const distance = editDistance(lower, other);
    const prefix = lower.length >= 3 && (other.startsWith(lower) || lower.startsWith(other));
    const limit = Math.max(1, Math.floor(Math.max(wanted.length, candidate.length) / 3));
    if (distance <= limit || prefix) near.push({ candidate, distance });
  }
  return near.sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : 1));
}

/** What a did-you-mean says: the suggestion, and the other candidates exactly as close. */
export interface Suggestion {
  readonly match: string;
  readonly equallyClose: readonly string[];
}

/**
 * The candidate closest to `wanted` by edit distance, and any others exactly as close. Among
 * equally close values of a security-relevant enum (`SECURITY_ENUMS`), the least permissive is
 * the suggestion, so a typo never steers toward more access than the closest value grants.
 */
export function suggest(wanted: string, candidates: Iterable<string>): Suggestion | undefined {
  const all = [...new Set(candidates)];
  const ranked = rank(wanted, all);
  const best = ranked[0];
  if (best === undefined) return undefined;
  let tied = ranked.filter((r) => r.distance === best.distance).map((r) => r.candidate);
  const order = permissiveness(all);
  if (order !== undefined) tied = [...tied].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return { match: tied[0]!, equallyClose: tied.slice(1) };
}

/** The candidate closest to `wanted`, if it is close enough to be a likely typo. */
export function closest(wanted: string, candidates: Iterable<string>): string | undefined {
  return suggest(wanted, candidates)?.match;
}

function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * When `match` differs from `wanted` only where one of them has a non-ASCII character (a
 * Cyrillic `і` for a Latin `i`), says which code points differ; otherwise undefined.
 */
export function lookAlikes(wanted: string, match: string): string | undefined {
  const a = [...wanted];
  const b = [...match];
  if (a.length !== b.length) return undefined;
  const differ = a.flatMap((c, i) => (c === b[i] ? [] : [[c, b[i]!] as const]));
  // eslint-disable-next-line no-control-regex -- the ASCII range is the point of the test
  const ascii = /^[\u0000-\u007f]$/;
  if (differ.length === 0 || differ.some(([x, y]) => ascii.test(x) && ascii.test(y))) return undefined;
  return differ.map(([x, y]) => `${codePoint(y)} \`${y}\` where you wrote ${codePoint(x)} \`${x}\``).join(", ");
}

/** A `did you mean` hint for `wanted`, or undefined when nothing is close. */
export function didYouMean(wanted: string, candidates: Iterable<string>): string | undefined {
  const all = [...candidates];
  const found = suggest(wanted, all);
  if (found === undefined) return undefined;
  const { match, equallyClose } = found;
  const confusable = lookAlikes(wanted, match);
  const hint =
    confusable === undefined
      ? `did you mean \`${match}\`?`
      : `did you mean \`${match}\`? it differs only in look-alike characters: it has ${confusable}`;
  if (equallyClose.length === 0) return hint;
  const others = equallyClose.map((c) => `\`${c}\``).join(", ");
  const why = permissiveness(all) === undefined ? "" : `; \`${match}\` is the least permissive of them`;
  return `${hint} (${others} ${equallyClose.length === 1 ? "is" : "are"} equally close${why})`;
}
