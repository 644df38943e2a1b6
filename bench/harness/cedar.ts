/**
 * The Cedar arm: the core of the benchmark's workload — the connected-app allowlist, app
 * assignment by profile or permission set, and the profile's login IP ranges — written as a
 * Cedar policy set generated from the same validated declarations as the tier's bundle, and
 * decided by `@cedar-policy/cedar-wasm` in this process.
 *
 * The encoding (one action, `Action::"login"`):
 * - entities, prepared once and looked up per request as an application loads them from its
 *   entity store: the user (parents: its profile and permission sets), its profile (parent: the
 *   `LoginRanges` group of its range list, or `LoginRanges::"unrestricted"`), the app (parent
 *   `Allowlist::"connected-apps"` when installed, not blocked and admin-approved);
 * - `forbid … unless { resource in Allowlist::"connected-apps" }` (when the org allowlists apps);
 * - per allowlisted app, `forbid (…, resource == App::"<client id>") unless { principal in
 *   [its profiles and permission sets] }`;
 * - per range list, `permit (principal in LoginRanges::"<k>", …) when { context.ip.isInRange(…)
 *   || … }` in chunks of CHUNK prefixes (Cedar has no set-of-ranges lookup), and one `permit`
 *   for `LoginRanges::"unrestricted"`.
 *
 * Cedar refuses IPv4 embedded in IPv6 (`::ffff:a.b.c.d`), which Gatehouse reads as the IPv4
 * address (docs/semantics.md); the arm rewrites such an address to its IPv4 form before asking.
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { formatPrefix } from "../../core/address.js";
import { intervalToPrefixes } from "../../compiler/lower/prefix-cover.js";
import type { AddressRange, PolicySet } from "../../compiler/validate/index.js";
import type { Json, Template } from "./templates.js";
import { TEMPLATES } from "./templates.js";

/** Prefixes per `permit` of a range list: keeps every condition's expression shallow. */
const CHUNK = 64;
const ALLOWLIST = "connected-apps";
const UNRESTRICTED = "unrestricted";

/**
 * The stream's templates inside the core: standard users logging in to the API through an
 * ENFORCE app, allowed, or denied by exactly one of the three checks.
 */
export const CORE_TEMPLATE_IDS: readonly string[] = [
  "allow: assigned by profile, web server login",
  "allow: assigned by permission set, JWT bearer",
  "deny: AAC_APP_NOT_ALLOWLISTED",
  "deny: APP_USER_NOT_APPROVED",
  "deny: IP_OUTSIDE_LOGIN_RANGES",
];

/** True when `template` belongs to the core the Cedar policy expresses. */
export function isCoreTemplate(template: Template): boolean {
  return CORE_TEMPLATE_IDS.includes(template.id);
}

if (CORE_TEMPLATE_IDS.some((id) => !TEMPLATES.some((t) => t.id === id)))
  throw new Error("bench: a core template of the Cedar arm is not among the stream's templates");

type Uid = { readonly type: string; readonly id: string };
type Entity = cedar.EntityJson;

/** The Cedar policy set of a tier, ready to decide. */
export interface CedarArm {
  /** The policy text (for the record: sizes, inspection). */
  readonly policyText: string;
  readonly policies: number;
  /** `isInRange` tests across every range list. */
  readonly rangeTests: number;
  readonly prepareMs: number;
  /** Cedar's allow for a core request (a Gatehouse request object); throws on a Cedar error. */
  decide(request: Json): boolean;
}

function cedarString(text: string): string {
  return JSON.stringify(text);
}

function prefixesOf(ranges: readonly AddressRange[]): string[] {
  const out: string[] = [];
  for (const r of ranges) {
    const width = r.family === 4 ? 32 : 128;
    for (const p of intervalToPrefixes(width, { first: r.first, last: r.last }))
      out.push(formatPrefix({ family: r.family, value: p.value, length: p.length }));
  }
  return out;
}

function rangeKey(ranges: readonly AddressRange[]): string {
  return ranges.map((r) => `${r.family}:${r.first}-${r.last}`).join(",");
}

function entity(type: string, id: string, parents: Uid[] = []): Entity {
  return { uid: { type, id }, attrs: {}, parents };
}

/** Writes the Cedar policies and entities of `policy`'s core. */
function generate(policy: PolicySet): {
  text: string;
  policies: number;
  rangeTests: number;
  profiles: Map<string, Entity>;
  apps: Map<string, Entity>;
} {
  const lines: string[] = [];
  let rangeTests = 0;
  if (policy.org.allowlistedAppsOnly)
    lines.push(`forbid (principal, action, resource) unless { resource in Allowlist::${cedarString(ALLOWLIST)} };`);
  const apps = new Map<string, Entity>();
  for (const app of policy.apps.values()) {
    const allowlisted = app.installed && !app.blocked && app.adminApproved;
    for (const id of app.clientIds) {
      apps.set(id, entity("App", id, allowlisted ? [{ type: "Allowlist", id: ALLOWLIST }] : []));
      if (!allowlisted) continue;
      const assignees = [
        ...app.profiles.map((p) => `Profile::${cedarString(p)}`),
        ...app.permissionSets.map((p) => `PermissionSet::${cedarString(p)}`),
      ];
      lines.push(
        `forbid (principal, action, resource == App::${cedarString(id)}) unless { principal in [${assignees.join(", ")}] };`,
      );
    }
  }
  const groups = new Map<string, string>();
  const profiles = new Map<string, Entity>();
  for (const profile of policy.profiles.values()) {
    let group = UNRESTRICTED;
    if (profile.loginIpRanges.length > 0) {
      const key = rangeKey(profile.loginIpRanges);
      if (!groups.has(key)) {
        const name = `ranges-${groups.size + 1}`;
        groups.set(key, name);
        const prefixes = prefixesOf(profile.loginIpRanges);
        rangeTests += prefixes.length;
        for (let i = 0; i < prefixes.length; i += CHUNK) {
          const tests = prefixes.slice(i, i + CHUNK).map((p) => `context.ip.isInRange(ip(${cedarString(p)}))`);
          lines.push(
            `permit (principal in LoginRanges::${cedarString(name)}, action, resource) when { ${tests.join(" || ")} };`,
          );
        }
      }
      group = groups.get(key)!;
    }
    profiles.set(profile.name, entity("Profile", profile.name, [{ type: "LoginRanges", id: group }]));
  }
  lines.push(`permit (principal in LoginRanges::${cedarString(UNRESTRICTED)}, action, resource);`);
  return { text: lines.join("\n"), policies: lines.length, rangeTests, profiles, apps };
}

/** The Cedar language version of the loaded cedar-wasm. */
export function cedarVersion(): string {
  return cedar.getCedarVersion();
}

/** `::ffff:a.b.c.d` as `a.b.c.d` (Cedar refuses IPv4 embedded in IPv6); anything else unchanged. */
export function cedarAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

let nextId = 0;

/**
 * Prepares the Cedar policy set of `policy` (parsed once and cached by cedar-wasm) and returns
 * a decider for core requests. Throws when Cedar refuses the generated policies.
 */
export function cedarArm(policy: PolicySet): CedarArm {
  const t0 = performance.now();
  const generated = generate(policy);
  const id = `gatehouse-bench-${nextId++}`;
  const parsed = cedar.preparsePolicySet(id, { staticPolicies: generated.text });
  if (parsed.type !== "success")
    throw new Error(`bench: Cedar refused the generated policies: ${parsed.errors.map((e) => e.message).join("; ")}`);
  const prepareMs = performance.now() - t0;
  const action: Uid = { type: "Action", id: "login" };
  const noApp = entity("App", "");
  return {
    policyText: generated.text,
    policies: generated.policies,
    rangeTests: generated.rangeTests,
    prepareMs,
    decide(request: Json): boolean {
      const user = request.user as { profile: string; permissionSets?: readonly string[] };
      const clientId = (request.app as { clientId?: string } | null)?.clientId ?? "";
      const parents: Uid[] = [{ type: "Profile", id: user.profile }];
      for (const p of user.permissionSets ?? []) parents.push({ type: "PermissionSet", id: p });
      const principal: Uid = { type: "User", id: "requester" };
      const entities: Entity[] = [
        { uid: principal, attrs: {}, parents },
        generated.apps.get(clientId) ?? { ...noApp, uid: { type: "App", id: clientId } },
      ];
      const profile = generated.profiles.get(user.profile);
      if (profile) entities.push(profile);
      const answer = cedar.statefulIsAuthorized({
        principal,
        action,
        resource: { type: "App", id: clientId },
        context: { ip: { __extn: { fn: "ip", arg: cedarAddress(request.sourceIp as string) } } },
        preparsedPolicySetId: id,
        entities,
      });
      if (answer.type !== "success")
        throw new Error(`bench: Cedar failed: ${answer.errors.map((e) => e.message).join("; ")}`);
      if (answer.response.diagnostics.errors.length > 0)
        throw new Error(`bench: Cedar policy error: ${answer.response.diagnostics.errors[0]!.error.message}`);
      return answer.response.decision === "allow";
    },
  };
}
