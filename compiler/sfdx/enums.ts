import type { IpRelaxation } from "../validate/model.js";

/** The IP relaxation values as a connected app spells them, which is also Gatehouse's spelling. */
export const CONNECTED_APP_RELAXATION: readonly IpRelaxation[] = [
  "ENFORCE",
  "ENFORCE_RELAXREFRESH",
  "BYPASS_2FACTOR",
  "BYPASS",
];

/** The IP relaxation values as an External Client App policy spells them (`ipRelaxationPolicyType`). */
export const ECA_RELAXATION: Readonly<Record<IpRelaxation, string>> = {
  ENFORCE: "Enforce",
  ENFORCE_RELAXREFRESH: "Enforce_RelaxRefresh",
  BYPASS_2FACTOR: "Bypass_2factor",
  BYPASS: "Bypass",
};

/** How a relaxation value read from metadata was understood. */
export type RelaxationReading =
  | { readonly ok: true; readonly value: IpRelaxation; readonly caveat?: string }
  | { readonly ok: false; readonly message: string };

/**
 * Reads an IP relaxation value from a connected app (`ipRelaxation`) or an External Client App
 * policy (`ipRelaxationPolicyType`). The documented spelling of the file's own family is read as
 * is; the other family's spelling and other letter case are read with a caveat (Salesforce's own
 * casing of `Enforce_RelaxRefresh` is inconsistent); anything else, such as the fabricated
 * `ENFORCE_ACTIVATED_USERS` of some blog posts, is refused, never guessed.
 */
export function readRelaxation(raw: string, family: "ConnectedApp" | "ExternalClientApplication"): RelaxationReading {
  const own = family === "ConnectedApp";
  const exact = CONNECTED_APP_RELAXATION.find((v) => (own ? v : ECA_RELAXATION[v]) === raw);
  if (exact) return { ok: true, value: exact };
  const folded = raw.toLowerCase();
  const ownSpelling = (v: IpRelaxation): string => (own ? v : ECA_RELAXATION[v]);
  const otherSpelling = (v: IpRelaxation): string => (own ? ECA_RELAXATION[v] : v);
  const other =
    CONNECTED_APP_RELAXATION.find((v) => otherSpelling(v) === raw) ??
    CONNECTED_APP_RELAXATION.find(
      (v) => ownSpelling(v).toLowerCase() !== folded && otherSpelling(v).toLowerCase() === folded,
    );
  if (other)
    return {
      ok: true,
      value: other,
      caveat: own
        ? `\`${raw}\` is the External Client App spelling of \`${other}\`; a connected app spells it \`${other}\``
        : `\`${raw}\` is the connected-app spelling; an External Client App policy spells it \`${ECA_RELAXATION[other]}\` and Salesforce rejects \`${raw}\` there`,
    };
  const caseless = CONNECTED_APP_RELAXATION.find((v) => ownSpelling(v).toLowerCase() === folded);
  if (caseless)
    return {
      ok: true,
      value: caseless,
      caveat: `\`${raw}\` read as \`${ownSpelling(caseless)}\` (letter case differs from the documented spelling)`,
    };
  const valid = CONNECTED_APP_RELAXATION.map((v) => `\`${own ? v : ECA_RELAXATION[v]}\``).join(", ");
  return { ok: false, message: `\`${raw}\` is not an IP relaxation value (valid: ${valid}); it is not imported` };
}
