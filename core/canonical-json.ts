/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no insignificant whitespace, the
 * same escaping as JSON.stringify. Used wherever bytes must be reproducible: data.json, the
 * bundle revision and signature hashes of JSON files (OPA hashes JSON with sorted keys).
 */
export function canonicalJson(value: unknown): string {
  return write(value);
}

// One string built by concatenation (V8 joins such strings lazily, without the array of parts
// and its copies); `sort()` without a comparator orders strings by UTF-16 code units.
function write(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonical JSON: non-finite number");
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) out += i === 0 ? write(value[i]) : `,${write(value[i])}`;
        return `${out}]`;
      }
      const keys = Object.keys(value).sort();
      let out = "{";
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        out += `${i === 0 ? "" : ","}${JSON.stringify(key)}:${write((value as Record<string, unknown>)[key])}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON: cannot encode a ${typeof value}`);
  }
}
