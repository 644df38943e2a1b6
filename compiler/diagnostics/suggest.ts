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

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * The candidate closest to `wanted`, if it is close enough to be a likely typo: a
 * case-insensitive match, a prefix either way, or an edit distance of at most a third of the
 * longer string.
 */
export function closest(wanted: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  const lower = wanted.toLowerCase();
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    // A candidate that extends what was typed, or that was typed with a suffix, is a strong match.
    const prefix = lower.length >= 3 && (other.startsWith(lower) || lower.startsWith(other));
    const score =
      other === lower ? 0 : prefix ? 1 + 1 / (1 + commonPrefix(lower, other)) : editDistance(lower, other) + 0.5;
    if (score < bestScore || (score === bestScore && best !== undefined && candidate < best)) {
      best = candidate;
      bestScore = score;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(wanted.length, best.length) / 3));
  return bestScore <= limit ? best : undefined;
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
  const match = closest(wanted, candidates);
  if (match === undefined) return undefined;
  const confusable = lookAlikes(wanted, match);
  return confusable === undefined
    ? `did you mean \`${match}\`?`
    : `did you mean \`${match}\`? it differs only in look-alike characters: it has ${confusable}`;
}
