import { formatAddress, type IpFamily } from "../../core/address.js";
import type { Random } from "./random.js";
import { TEMPLATES, type Draw, type Json, type Template } from "./templates.js";
import type { SpanSet, TierModel } from "./tiers.js";

export { TEMPLATES, type Template } from "./templates.js";

/** How a request writes its address: IPv4, IPv6, or IPv4 in the IPv4-mapped IPv6 form. */
export type AddressForm = "v4" | "v6" | "mapped";

/** How often each address form occurs in the stream. */
export const ADDRESS_FORM_WEIGHTS: Readonly<Record<AddressForm, number>> = { v4: 60, v6: 25, mapped: 15 };

/** The largest request the stream may hold, in UTF-8 bytes of its JSON. */
export const MAX_REQUEST_BYTES = 1024;

/** The reason codes a policy can produce; EVALUATION_ERROR is the runtime's own. */
export const POLICY_REASON_CODES = [
  "INPUT_INVALID",
  "PROFILE_UNKNOWN",
  "API_ONLY_USER_UI_DENIED",
  "API_NOT_ENABLED",
  "GUEST_API_DENIED",
  "AAC_NO_CONNECTED_APP",
  "AAC_APP_NOT_ALLOWLISTED",
  "AAC_EXTERNAL_APP_NOT_INSTALLED",
  "APP_UNKNOWN",
  "APP_BLOCKED",
  "APP_UNINSTALLED",
  "APP_USER_NOT_APPROVED",
  "RUN_AS_NOT_API_ONLY",
  "IP_OUTSIDE_LOGIN_RANGES",
  "SESSION_IP_MISMATCH",
  "HIGH_ASSURANCE_REQUIRED",
  "STEP_UP_REQUIRED",
] as const;

/** One request of the stream, as an object and as the JSON text every arm is fed. */
export interface StreamRequest {
  readonly template: Template;
  readonly form: AddressForm;
  readonly request: Json;
  readonly json: string;
}

/** What the stream is made of, as recorded in the results. */
export interface StreamMix {
  readonly requests: number;
  readonly allowed: number;
  readonly byTemplate: Readonly<Record<string, number>>;
  readonly byForm: Readonly<Record<AddressForm, number>>;
  readonly reasonCodes: readonly string[];
  readonly maxBytes: number;
  readonly meanBytes: number;
}

function addressIn(random: Random, set: SpanSet, family: IpFamily): bigint {
  const span = random.pick(set.spans);
  const size = span.last - span.first + 1n;
  return span.first + (random.bits(family === 4 ? 32 : 128) % size);
}

function write(family: IpFamily, value: bigint, form: AddressForm): string {
  const text = formatAddress(family, value);
  return family === 4 && form === "mapped" ? `::ffff:${text}` : text;
}

/**
 * A fixed, seeded stream of `count` requests drawn from the templates by weight, each address
 * in a form drawn by weight. Every request is at most MAX_REQUEST_BYTES of JSON.
 */
export function buildStream(model: TierModel, random: Random, count: number): StreamRequest[] {
  const weights = Object.fromEntries(TEMPLATES.map((t) => [t.id, t.weight]));
  const out: StreamRequest[] = [];
  for (let i = 0; i < count; i++) {
    const id = random.weighted(weights);
    const template = TEMPLATES.find((t) => t.id === id)!;
    const form = random.weighted(ADDRESS_FORM_WEIGHTS);
    const family: IpFamily = form === "v6" ? 6 : 4;
    const draw: Draw = {
      random,
      model,
      form,
      inside: (set = model.loginRanges) => write(family, addressIn(random, set[family], family), form),
      outside: () => {
        for (;;) {
          const value = random.bits(family === 4 ? 32 : 128);
          const candidate = family === 6 ? (0x2000n << 112n) | (value >> 4n) : value;
          if (family === 4 && (candidate >> 24n === 0n || candidate >= 0xe0000000n)) continue;
          if (!model.loginRanges[family].has(candidate) && !model.partnerVpn[family].has(candidate))
            return write(family, candidate, form);
        }
      },
    };
    const request = template.build(draw);
    const json = JSON.stringify(request);
    if (Buffer.byteLength(json) > MAX_REQUEST_BYTES)
      throw new Error(`bench: a \`${template.id}\` request is over ${MAX_REQUEST_BYTES} bytes`);
    out.push({ template, form, request, json });
  }
  return out;
}

/** Counts what `stream` is made of. */
export function streamMix(stream: readonly StreamRequest[]): StreamMix {
  const byTemplate: Record<string, number> = Object.fromEntries(TEMPLATES.map((t) => [t.id, 0]));
  const byForm: Record<AddressForm, number> = { v4: 0, v6: 0, mapped: 0 };
  const codes = new Set<string>();
  let bytes = 0;
  let maxBytes = 0;
  let allowed = 0;
  for (const r of stream) {
    byTemplate[r.template.id]!++;
    byForm[r.form]++;
    for (const c of r.template.reasons) codes.add(c);
    if (r.template.reasons.length === 0) allowed++;
    const size = Buffer.byteLength(r.json);
    bytes += size;
    maxBytes = Math.max(maxBytes, size);
  }
  return {
    requests: stream.length,
    allowed,
    byTemplate,
    byForm,
    reasonCodes: POLICY_REASON_CODES.filter((c) => codes.has(c)),
    maxBytes,
    meanBytes: stream.length === 0 ? 0 : bytes / stream.length,
  };
}
