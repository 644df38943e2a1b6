import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatPrefix } from "../../core/address.js";
import type { OpaBinary } from "../../compiler/build/index.js";
import { coverWithPrefixes } from "../../compiler/lower/prefix-cover.js";
import type { AddressRange, PolicySet } from "../../compiler/validate/model.js";

/**
 * The naive baseline: the same declarations written the way Rego is usually written by hand.
 * One rule per connected app and per profile, matched on the client id or profile name; each
 * login IP range list as the CIDRs of the lowering's prefix cover, in data.json, checked with
 * `net.cidr_contains` over every CIDR; the deny reasons as a partial set. It decides allow and
 * deny like the compiled policy for the benchmark's requests (the harness checks that on the
 * stream before timing it) but is not a complete implementation of docs/semantics.md: its
 * reasons are unordered and carry no sources, and it checks the request only loosely.
 */
export interface NaivePolicy {
  readonly files: ReadonlyMap<string, string>;
  readonly revision: string;
  readonly appRules: number;
  readonly profileRules: number;
  readonly cidrs: number;
}

function rego(value: unknown): string {
  return JSON.stringify(value);
}

function set(items: readonly string[]): string {
  return items.length === 0 ? "set()" : `{${items.map(rego).join(", ")}}`;
}

function cidrsOf(ranges: readonly AddressRange[]): string[] {
  const out: string[] = [];
  for (const family of [4, 6] as const) {
    const intervals = ranges.filter((r) => r.family === family).map((r) => ({ first: r.first, last: r.last }));
    for (const p of coverWithPrefixes(family, intervals)) out.push(formatPrefix({ family, ...p }));
  }
  return out;
}

const ENGINE = `
import data.naive

org := naive.org

default valid := false

valid if {
	is_object(input.user)
	is_string(input.user.profile)
	user_types[input.user.userType]
	channels[input.channel]
	grants[input.grant]
	is_boolean(input.login)
	valid_address(input.sourceIp)
}

valid_address(s) if regex.match(\`^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$\`, s)

valid_address(s) if {
	contains(s, ":")
	regex.match(\`^[0-9a-fA-F:.]+$\`, s)
}

user_types := {"Standard", "PowerPartner", "PowerCustomerSuccess", "CustomerSuccess", "CspLitePortal", "Guest", "CsnOnly"}

external := {"PowerPartner", "PowerCustomerSuccess", "CustomerSuccess", "CspLitePortal"}

channels := {"api", "ui"}

grants := {"web_server", "user_agent", "refresh_token", "jwt_bearer", "saml_bearer", "client_credentials", "device", "password", "soap_login", "token_exchange", "session"}

never_relaxed := {"jwt_bearer", "saml_bearer", "password", "soap_login", "session"}

interactive if input.channel == "ui"

interactive if input.grant in {"web_server", "user_agent", "device"}

unmapped(s) := substring(s, 7, -1) if {
	startswith(lower(s), "::ffff:")
	contains(s, ".")
}

unmapped(s) := s if not startswith(lower(s), "::ffff:")

unmapped(s) := s if not contains(s, ".")

ip := unmapped(input.sourceIp)

perms contains p if some p in profile.permissions

perms contains p if {
	some n in object.get(input.user, "permissionSets", [])
	some p in permission_set_permissions(n)
}

assigned if app.profiles[input.user.profile]

assigned if {
	some n in object.get(input.user, "permissionSets", [])
	app.permissionSets[n]
}

in_ranges(id) if {
	some cidr in naive.ranges[id]
	net.cidr_contains(cidr, ip)
}

deny contains "PROFILE_UNKNOWN" if not profile

deny contains "API_ONLY_USER_UI_DENIED" if {
	input.channel == "ui"
	perms.ApiUserOnly
}

deny contains "API_NOT_ENABLED" if {
	input.channel == "api"
	not perms.ApiEnabled
}

deny contains "GUEST_API_DENIED" if {
	input.channel == "api"
	input.user.userType == "Guest"
}

aac if {
	input.channel == "api"
	not perms.UseAnyApiClient
}

deny contains "AAC_NO_CONNECTED_APP" if {
	aac
	org.allowlistedAppsOnly
	input.app == null
}

allowlisted if {
	app.installed
	app.adminApproved
	input.grant == "client_credentials"
}

allowlisted if {
	app.installed
	app.adminApproved
	assigned
}

deny contains "AAC_APP_NOT_ALLOWLISTED" if {
	aac
	org.allowlistedAppsOnly
	input.app != null
	not allowlisted
}

external_ok if {
	app.installed
	not app.blocked
	app.sites == null
}

external_ok if {
	app.installed
	not app.blocked
	app.sites[input.site]
}

deny contains "AAC_EXTERNAL_APP_NOT_INSTALLED" if {
	aac
	org.customersAndPartnersInstalledAppsOnly
	external[input.user.userType]
	not external_ok
}

deny contains "APP_UNKNOWN" if {
	input.app != null
	not app
}

deny contains "APP_BLOCKED" if app.blocked

prior_authorization if input.priorAuthorization == true

uninstalled_refused if input.grant == "device"

uninstalled_refused if not prior_authorization

deny contains "APP_UNINSTALLED" if {
	app.installed == false
	not perms.ApproveUninstalledConnectedApps
	uninstalled_refused
}

deny contains "APP_USER_NOT_APPROVED" if {
	app.adminApproved
	input.grant != "client_credentials"
	not assigned
	not perms.UseAnyApiClient
}

deny contains "RUN_AS_NOT_API_ONLY" if {
	input.app != null
	input.grant == "client_credentials"
	not perms.ApiUserOnly
}

ip_check if input.login == true

ip_check if org.enforceLoginIpRangesEveryRequest

ip_check if input.grant == "refresh_token"

relaxable if {
	input.channel == "api"
	app
	not never_relaxed[input.grant]
}

relaxed if {
	relaxable
	app.ipRelaxation == "BYPASS"
}

relaxed if {
	relaxable
	app.ipRelaxation == "ENFORCE_RELAXREFRESH"
	input.grant == "refresh_token"
}

relaxed if {
	relaxable
	app.ipRelaxation == "BYPASS_2FACTOR"
	input.grant == "web_server"
	app.trustedIpRanges != null
	in_ranges(app.trustedIpRanges)
}

relaxed if {
	relaxable
	app.ipRelaxation == "BYPASS_2FACTOR"
	input.grant == "web_server"
	app.trustedIpRanges == null
	input.session.identityVerified == true
}

deny contains "IP_OUTSIDE_LOGIN_RANGES" if {
	profile.loginIpRanges != null
	ip_check
	not in_ranges(profile.loginIpRanges)
	not relaxed
}

same_origin if unmapped(input.session.originIp) == ip

deny contains "SESSION_IP_MISMATCH" if {
	org.lockSessionsToIp
	input.login == false
	not same_origin
}

high_assurance if input.session.highAssurance == true

deny contains "STEP_UP_REQUIRED" if {
	app.highAssurance == "stepUp"
	not high_assurance
	interactive
}

deny contains "HIGH_ASSURANCE_REQUIRED" if {
	app.highAssurance == "block"
	not high_assurance
}

deny contains "HIGH_ASSURANCE_REQUIRED" if {
	app.highAssurance == "stepUp"
	not high_assurance
	not interactive
}

decision := {
	"allow": count(deny) == 0,
	"reasons": [{"code": c, "message": c, "control": "naive", "source": null} | some c in deny],
	"notes": [],
	"revision": naive.revision,
}
`;

const ENTRY = `package gatehouse

import data.gatehouse.engine

decision := engine.decision if engine.valid

else := {
	"allow": false,
	"reasons": [{"code": "INPUT_INVALID", "message": "INPUT_INVALID", "control": "input", "source": null}],
	"notes": [],
	"revision": data.naive.revision,
}
`;

/** The naive policy for `policy`: Rego with one rule per app and per profile, and data.json with the CIDR lists. */
export function naivePolicy(policy: PolicySet, revision: string): NaivePolicy {
  const rangeIds = new Map<readonly AddressRange[], string>();
  const ranges: Record<string, string[]> = {};
  const idOf = (list: readonly AddressRange[]): string | null => {
    if (list.length === 0) return null;
    let id = rangeIds.get(list);
    if (id === undefined) {
      id = `r${rangeIds.size}`;
      rangeIds.set(list, id);
      ranges[id] = cidrsOf(list);
    }
    return id;
  };
  const lines = ["package gatehouse.engine", ENGINE];
  let appRules = 0;
  for (const app of policy.apps.values()) {
    const value = `{"name": ${rego(app.name)}, "installed": ${app.installed}, "blocked": ${app.blocked}, "adminApproved": ${app.adminApproved}, "profiles": ${set(app.profiles)}, "permissionSets": ${set(app.permissionSets)}, "ipRelaxation": ${rego(app.ipRelaxation)}, "trustedIpRanges": ${rego(idOf(app.trustedIpRanges))}, "highAssurance": ${rego(app.highAssurance ?? null)}, "sites": ${app.sites === undefined ? "null" : set(app.sites)}}`;
    for (const clientId of app.clientIds) {
      lines.push(`app := ${value} if input.app.clientId == ${rego(clientId)}\n`);
      appRules++;
    }
  }
  let profileRules = 0;
  for (const p of policy.profiles.values()) {
    lines.push(
      `profile := {"permissions": ${set(p.permissions)}, "loginIpRanges": ${rego(idOf(p.loginIpRanges))}} if input.user.profile == ${rego(p.name)}\n`,
    );
    profileRules++;
  }
  for (const s of policy.permissionSets.values())
    if (s.permissions.length > 0)
      lines.push(`permission_set_permissions(name) := ${set(s.permissions)} if name == ${rego(s.name)}\n`);
  const org = policy.org;
  const data = {
    naive: {
      revision,
      org: {
        allowlistedAppsOnly: org.allowlistedAppsOnly,
        customersAndPartnersInstalledAppsOnly: org.customersAndPartnersInstalledAppsOnly,
        enforceLoginIpRangesEveryRequest: org.enforceLoginIpRangesEveryRequest,
        lockSessionsToIp: org.lockSessionsToIp,
      },
      ranges,
    },
  };
  const cidrs = Object.values(ranges).reduce((n, list) => n + list.length, 0);
  return {
    files: new Map([
      ["gatehouse/engine.rego", lines.join("\n")],
      ["gatehouse/decision.rego", ENTRY],
      ["data.json", JSON.stringify(data)],
      [".manifest", JSON.stringify({ revision, roots: ["gatehouse", "naive"] })],
    ]),
    revision,
    appRules,
    profileRules,
    cidrs,
  };
}

/** Builds the naive policy with `opa build -t wasm` (the entry point the runtime needs); returns the bundle. */
export function buildNaive(naive: NaivePolicy, opa: OpaBinary): { bundle: Uint8Array } | { error: string } {
  const work = mkdtempSync(join(tmpdir(), "gatehouse-naive-"));
  try {
    const src = join(work, "src");
    for (const [path, text] of naive.files) {
      mkdirSync(join(src, path, ".."), { recursive: true });
      writeFileSync(join(src, path), text);
    }
    const out = join(work, "bundle.tar.gz");
    const args = ["build", "-t", "wasm", "-b", ".", "-o", out, "-e", "gatehouse/decision"];
    const run = spawnSync(opa.path, args, { cwd: src, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0)
      return { error: `opa build failed: ${(run.stderr || run.stdout).trim().split("\n").slice(0, 3).join(" ")}` };
    return { bundle: new Uint8Array(readFileSync(out)) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
