import { parsePrefix, type IpPrefix } from "../../core/address.js";

/** One prefix of a provider feed, with the attributes filters select on. */
export interface FeedPrefix {
  readonly text: string;
  readonly prefix: IpPrefix;
  readonly region: string;
  readonly service: string;
  readonly networkBorderGroup: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads a feed in the AWS `ip-ranges.json` format: `prefixes` (with `ip_prefix`) and
 * `ipv6_prefixes` (with `ipv6_prefix`), each entry with `region`, `service` and
 * `network_border_group`. Every prefix must be strict and canonical. Returns the prefixes, or a
 * lowercase phrase saying what is wrong ("is not valid JSON", …).
 */
export function readAwsFeed(text: string): FeedPrefix[] | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return "is not valid JSON";
  }
  if (!isRecord(json) || !Array.isArray(json.prefixes) || !Array.isArray(json.ipv6_prefixes)) {
    return "is not in the `aws-ip-ranges` format: it needs `prefixes` and `ipv6_prefixes` lists";
  }
  const out: FeedPrefix[] = [];
  const lists: Array<[unknown[], string, string]> = [
    [json.prefixes, "ip_prefix", "prefixes"],
    [json.ipv6_prefixes, "ipv6_prefix", "ipv6_prefixes"],
  ];
  for (const [list, field, listName] of lists) {
    for (let i = 0; i < list.length; i++) {
      const entry = list[i];
      if (!isRecord(entry)) return `has a ${listName} entry that is not an object (entry ${i})`;
      const text = entry[field];
      const { region, service } = entry;
      const networkBorderGroup = entry.network_border_group;
      if (
        typeof text !== "string" ||
        typeof region !== "string" ||
        typeof service !== "string" ||
        typeof networkBorderGroup !== "string"
      ) {
        return `has a ${listName} entry without \`${field}\`, \`region\`, \`service\` and \`network_border_group\` strings (entry ${i})`;
      }
      const prefix = parsePrefix(text);
      if (!prefix.ok) return `has an invalid prefix in ${listName} entry ${i}: ${prefix.error}`;
      out.push({ text, prefix: prefix.value, region, service, networkBorderGroup });
    }
  }
  return out;
}
