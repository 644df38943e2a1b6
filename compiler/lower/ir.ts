import type { IpFamily } from "../../core/address.js";
import type { Permission } from "../../core/model.generated.js";
import type { IpRelaxation } from "../validate/model.js";

/** The declaration a decision reason cites. */
export interface IrSource {
  readonly kind: "Org" | "Profile" | "ConnectedApp" | "PermissionSet" | "PermissionSetGroup" | "Network";
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

/** All prefixes of one length in one family, as the fixed-width hex keys the policy looks up. */
export interface IrPrefixGroup {
  readonly length: number;
  /** Hex digits of the prefix: `floor(length/4)` digits, plus the masked next digit when `length % 4 > 0`. */
  readonly keys: readonly string[];
}

/** A set of addresses compiled to prefix tables: at most one lookup per distinct length. */
export interface IrAddressSet {
  readonly kind: "address-set";
  /** A content hash of the tables, so identical sets are shared and ids stay stable across builds. */
  readonly id: string;
  readonly v4: readonly IrPrefixGroup[];
  readonly v6: readonly IrPrefixGroup[];
  /** How many prefixes the merged ranges compiled to, per family. */
  readonly prefixCount: Readonly<Record<`v${IpFamily}`, number>>;
}

/** The org settings. */
export interface IrOrg {
  readonly kind: "org";
  readonly name: string;
  readonly allowlistedAppsOnly: boolean;
  readonly customersAndPartnersInstalledAppsOnly: boolean;
  readonly enforceLoginIpRangesEveryRequest: boolean;
  readonly lockSessionsToIp: boolean;
  readonly trustedIpRanges: string | null;
  readonly source: IrSource;
}

/** A profile. */
export interface IrProfile {
  readonly kind: "profile";
  readonly name: string;
  readonly permissions: readonly Permission[];
  readonly loginIpRanges: string | null;
  readonly source: IrSource;
}

/** A permission set. */
export interface IrPermissionSet {
  readonly kind: "permission-set";
  readonly name: string;
  readonly permissions: readonly Permission[];
}

/** A permission set group, with what it grants already computed. */
export interface IrPermissionSetGroup {
  readonly kind: "permission-set-group";
  readonly name: string;
  readonly permissionSets: readonly string[];
  readonly mutingPermissions: readonly Permission[];
  /** The union of the members' permissions minus the muted ones. */
  readonly permissions: readonly Permission[];
}

/** A connected app. */
export interface IrConnectedApp {
  readonly kind: "connected-app";
  readonly name: string;
  readonly clientIds: readonly string[];
  readonly installed: boolean;
  readonly blocked: boolean;
  readonly adminApproved: boolean;
  readonly profiles: readonly string[];
  readonly permissionSets: readonly string[];
  /** The groups one of whose members is among `permissionSets`: assigned through the group. */
  readonly permissionSetGroups: readonly string[];
  readonly ipRelaxation: IpRelaxation;
  readonly trustedIpRanges: string | null;
  readonly highAssurance: "block" | "stepUp" | null;
  readonly sites: readonly string[] | null;
  readonly source: IrSource;
}

/** A provider feed the policy read, for the bundle manifest. */
export interface IrFeed {
  readonly file: string;
  readonly sha256: string;
}

/**
 * The compiled policy: plain, serializable data in a deterministic order (every list sorted by
 * name or id). Everything `emit` needs, nothing it has to compute.
 */
export interface Ir {
  readonly kind: "policy-ir";
  readonly version: 1;
  readonly org: IrOrg;
  readonly profiles: readonly IrProfile[];
  readonly permissionSets: readonly IrPermissionSet[];
  readonly permissionSetGroups: readonly IrPermissionSetGroup[];
  readonly apps: readonly IrConnectedApp[];
  readonly addressSets: readonly IrAddressSet[];
  readonly feeds: readonly IrFeed[];
  /** SHA-256 of every policy file, sorted by path. */
  readonly sourceFiles: ReadonlyArray<{ readonly file: string; readonly sha256: string }>;
}
