/**
 * One version of a policy set as impact analysis reads it: the compiled IR (what the policy's
 * data holds), the validated policy (where each declaration is written) and the runtime loaded
 * with its bundle (what the policy decides).
 */
import type { Ir, IrAddressSet, IrConnectedApp, IrOrg, IrProfile } from "../compiler/lower/ir.js";
import type { PolicySet } from "../compiler/validate/model.js";
import type { Decision } from "../wasm/decision.js";

/** Anything that decides requests as the runtime does (the `Authorizer`, or a pool of them). */
export interface Decider {
  decide(request: unknown): Decision;
}

/** A compiled version of a policy set and the runtime that decides with its bundle. */
export interface PolicyVersion {
  readonly ir: Ir;
  readonly policy: PolicySet;
  readonly decider: Decider;
}

/** Where a declaration is written in one version. */
export interface Place {
  readonly file: string;
  readonly line: number;
}

/** Fast lookups into one version's IR, keyed as the policy's data is. */
export class VersionIndex {
  readonly profiles: ReadonlyMap<string, IrProfile>;
  readonly permissionSets: ReadonlyMap<string, readonly string[]>;
  /** Each permission set group's permissions (members' union minus the muted ones). */
  readonly permissionSetGroups: ReadonlyMap<string, readonly string[]>;
  readonly apps: ReadonlyMap<string, IrConnectedApp>;
  readonly addressSets: ReadonlyMap<string, IrAddressSet>;
  readonly org: IrOrg;

  constructor(readonly version: PolicyVersion) {
    const ir = version.ir;
    this.org = ir.org;
    this.profiles = new Map(ir.profiles.map((p) => [p.name, p]));
    this.permissionSets = new Map(ir.permissionSets.map((s) => [s.name, s.permissions]));
    this.permissionSetGroups = new Map(ir.permissionSetGroups.map((g) => [g.name, g.permissions]));
    this.apps = new Map(ir.apps.flatMap((a) => a.clientIds.map((c) => [c, a] as const)));
    this.addressSets = new Map(ir.addressSets.map((s) => [s.id, s]));
  }

  /** The address set `id` names, or none for null. */
  addressSet(id: string | null): IrAddressSet | undefined {
    return id === null ? undefined : this.addressSets.get(id);
  }

  /** Where the declaration `kind`/`name` is written in this version, if it is declared. */
  place(kind: string, name: string): Place | undefined {
    const p = this.version.policy;
    const table: ReadonlyMap<string, { source: { file: string; line: number } }> | undefined =
      kind === "Profile"
        ? p.profiles
        : kind === "ConnectedApp"
          ? p.apps
          : kind === "PermissionSet"
            ? p.permissionSets
            : kind === "PermissionSetGroup"
              ? p.permissionSetGroups
              : kind === "Network"
                ? p.networks
                : kind === "Site"
                  ? p.sites
                  : undefined;
    const source = kind === "Org" ? (p.org.name === name ? p.org.source : undefined) : table?.get(name)?.source;
    return source ? { file: source.file, line: source.line } : undefined;
  }
}

/** A declaration's data without where it is written: two versions equal here decide alike. */
export function withoutPlace(value: object | undefined): string {
  if (value === undefined) return "absent";
  const { source, ...rest } = value as { source?: { kind?: string; name?: string } };
  return JSON.stringify({ ...rest, source: source ? { kind: source.kind, name: source.name } : null });
}
