/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no insignificant whitespace, the
 * same escaping as JSON.stringify. Used wherever bytes must be reproducible: data.json, the
 * bundle revision and signature hashes of JSON files (OPA hashes JSON with sorted keys).
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join("");
}

function write(value: unknown, out: string[]): void {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    out.push(JSON.stringify(value));
    return;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("canonical JSON: non-finite number");
    out.push(JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item, i) => {
      if (i > 0) out.push(",");
      write(item, out);
    });
    out.push("]");
    return;
  }
  if (typeof value === "object") {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    out.push("{");
    keys.forEach((key, i) => {
      if (i > 0) out.push(",");
      out.push(JSON.stringify(key), ":");
      write((value as Record<string, unknown>)[key], out);
    });
    out.push("}");
    return;
  }
  throw new TypeError(`canonical JSON: cannot encode a ${typeof value}`);
}
