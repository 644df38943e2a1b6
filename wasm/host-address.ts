import { parseAddress, toHex } from "../core/address.js";

/** An address as the policy's net.parse gives it: family and fixed-width lowercase hex. */
function parsed(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  const address = parseAddress(text);
  if (!address.ok) return undefined;
  const { family, value } = address.value;
  return `{"family":"v${family}","hex":"${toHex(family, value)}"}`;
}

/**
 * The JSON members the runtime entry point reads instead of parsing addresses itself: `"$addr"`
 * for the request's `sourceIp` and `"$origin"` for its `session.originIp` when present, as
 * `"$addr":{…},"$origin":{…}` text to append to the request's JSON object. Undefined when the
 * source address does not parse (the validator refuses such a request, so it never reaches here).
 */
export function hostAddresses(request: unknown): string | undefined {
  const r = request as { sourceIp?: unknown; session?: { originIp?: unknown } };
  const addr = parsed(r.sourceIp);
  if (addr === undefined) return undefined;
  const originText = r.session?.originIp;
  if (originText === undefined) return `"$addr":${addr}`;
  const origin = parsed(originText);
  return origin === undefined ? undefined : `"$addr":${addr},"$origin":${origin}`;
}
