/**
 * The strict address grammar of docs/semantics.md §2 as one regular expression, so that the JSON
 * Schemas can check addresses with a plain `pattern` that any JSON Schema validator honours.
 * A test proves the pattern and `parseAddressRaw` accept exactly the same strings.
 */

const H = "[0-9a-fA-F]{1,4}";
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const V4 = `${OCTET}(?:\\.${OCTET}){3}`;

/** Alternatives for `::` with `left` explicit groups before it and at most `maxRight` after it. */
function compressed(left: number, maxRight: number, tail: string): string {
  const before = left === 0 ? "" : `(?:${H}:){${left - 1}}${H}`;
  if (tail === "") {
    const after = maxRight === 0 ? "" : `(?:(?:${H}:){0,${maxRight - 1}}${H})?`;
    return `${before}::${after}`;
  }
  return `${before}::(?:${H}:){0,${maxRight}}${tail}`;
}

function v6Alternatives(): string[] {
  const alts = [`(?:${H}:){7}${H}`, `(?:${H}:){6}${V4}`];
  // `::` stands for at least one group: explicit groups (a dotted quad counts two) are at most 7.
  for (let left = 0; left <= 7; left++) alts.push(compressed(left, 7 - left, ""));
  for (let left = 0; left <= 5; left++) alts.push(compressed(left, 5 - left, V4));
  return alts;
}

/** The source of a regular expression matching exactly the strict IPv4 and IPv6 addresses. */
export const STRICT_ADDRESS_PATTERN = `^(?:${V4}|${v6Alternatives().join("|")})$`;
