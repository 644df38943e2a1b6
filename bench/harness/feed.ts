import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { formatPrefix, prefixBounds, type IpFamily } from "../../core/address.js";
import { packageRoot } from "../../core/package-root.js";
import { readAwsFeed } from "../../compiler/validate/feeds.js";
import type { Random } from "./random.js";

/** The size of Amazon's published feed this harness was written against (createDate 2026-08-22). */
export const AWS_FEED_SHAPE = { v4: 10_666, v6: 6_160 } as const;

/** A provider feed in the AWS `ip-ranges.json` format, and where it came from. */
export interface BenchFeed {
  readonly text: string;
  /** `file` when read from disk, `generated` when synthesised with the real feed's size and shape. */
  readonly origin: "file" | "generated";
  /** The file it was read from, relative to the repository root when inside its parent. */
  readonly path: string | null;
  readonly counts: { readonly v4: number; readonly v6: number };
  /** Every prefix as an inclusive interval, for choosing addresses inside or outside it. */
  readonly intervals: ReadonlyArray<{ readonly family: IpFamily; readonly first: bigint; readonly last: bigint }>;
}

/** Where the real feed is looked for: `GATEHOUSE_AWS_FEED`, else `../shared/data/aws-ip-ranges.json` beside the repository. */
export function feedLocation(env: NodeJS.ProcessEnv = process.env): string {
  return env.GATEHOUSE_AWS_FEED ?? resolve(packageRoot(), "..", "shared", "data", "aws-ip-ranges.json");
}

function fromText(text: string, origin: BenchFeed["origin"], path: string | null): BenchFeed {
  const prefixes = readAwsFeed(text);
  if (typeof prefixes === "string") throw new Error(`bench: the feed ${path ?? "(generated)"} ${prefixes}`);
  const intervals = prefixes.map((p) => ({ family: p.prefix.family, ...prefixBounds(p.prefix) }));
  const v4 = prefixes.filter((p) => p.prefix.family === 4).length;
  return { text, origin, path, counts: { v4, v6: prefixes.length - v4 }, intervals };
}

/**
 * A feed with the real one's size and shape: IPv4 prefixes of /16 to /32 and IPv6 prefixes of
 * /40 to /64 spread over a few provider blocks, each with a region, service and border group.
 */
export function generateFeed(random: Random): string {
  const regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1"];
  const services = ["AMAZON", "EC2", "S3", "CLOUDFRONT", "ROUTE53_HEALTHCHECKS"];
  const entry = (field: string, text: string): Record<string, string> => {
    const region = random.pick(regions);
    return { [field]: text, region, service: random.pick(services), network_border_group: region };
  };
  const prefixes: Array<Record<string, string>> = [];
  let v4 = 3n << 24n;
  for (let i = 0; i < AWS_FEED_SHAPE.v4; i++) {
    const length = random.pick([16, 20, 22, 23, 24, 24, 24, 25, 26, 27, 28, 32, 32]);
    const size = 1n << BigInt(32 - length);
    v4 = ((v4 + size - 1n) / size) * size;
    prefixes.push(entry("ip_prefix", formatPrefix({ family: 4, value: v4, length })));
    v4 += size * BigInt(random.int(1, 4));
  }
  const ipv6: Array<Record<string, string>> = [];
  let v6 = 0x2600_1f00n << 96n;
  for (let i = 0; i < AWS_FEED_SHAPE.v6; i++) {
    const length = random.pick([40, 44, 48, 52, 56, 56, 56, 64]);
    const size = 1n << BigInt(128 - length);
    v6 = ((v6 + size - 1n) / size) * size;
    ipv6.push(entry("ipv6_prefix", formatPrefix({ family: 6, value: v6, length })));
    v6 += size * BigInt(random.int(1, 4));
  }
  return JSON.stringify({ syncToken: "0", createDate: "generated", prefixes, ipv6_prefixes: ipv6 }, null, 2);
}

/** The real feed when it is present, otherwise one generated with its size and shape. */
export function benchFeed(random: Random, env: NodeJS.ProcessEnv = process.env): BenchFeed {
  const location = feedLocation(env);
  if (existsSync(location)) {
    const root = resolve(packageRoot(), "..");
    // A path outside the repository's parent is shown by its file name: results name no machine's paths.
    const shown = location.startsWith(root + "/") ? join("..", location.slice(root.length + 1)) : basename(location);
    return fromText(readFileSync(location, "utf8"), "file", shown);
  }
  return fromText(generateFeed(random), "generated", null);
}
