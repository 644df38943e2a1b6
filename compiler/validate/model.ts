import type { IpFamily } from "../../core/address.js";
import type { FeedFile } from "../load/index.js";
import type { SourceDoc } from "../load/yaml-document.js";
import type { Kind } from "../schemas.js";
import type { Permission, UserType } from "../../core/model.generated.js";

/** Where a declaration is, as decisions cite it: kind, name, file relative to the policy directory, line. */
export interface DeclSource {
  readonly kind: Kind;
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

/** A place inside a document: what diagnostics and later stages point back to. */
export interface Origin {
  readonly doc: SourceDoc;
  readonly pointer: string;
}

/** One inclusive range of addresses, after strict parsing and IPv4-mapped normalization. */
export interface AddressRange {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
  /** The entry as written, for messages. */
  readonly text: string;
  /** The YAML entry it came from (for a network's ranges, the entry inside the network). */
  readonly origin: Origin;
  /** True when the entry came from a provider feed rather than being written out. */
  readonly fromFeed: boolean;
}

/** Common to every declaration. */
export interface Declared {
  readonly name: string;
  readonly label?: string;
  readonly source: DeclSource;
  readonly doc: SourceDoc;
  /** Facts the importer did not see (docs/semantics.md §1, Known and unknown); read as the defaults. */
  readonly unseen?: readonly string[];
}

/** The org settings, with defaults applied. */
export interface OrgModel extends Declared {
  readonly edition?: string;
  readonly allowlistedAppsOnly: boolean;
  readonly customersAndPartnersInstalledAppsOnly: boolean;
  readonly enforceLoginIpRangesEveryRequest: boolean;
  readonly lockSessionsToIp: boolean;
  readonly trustedIpRanges: readonly AddressRange[];
}

/** A provider feed a network read, and how many prefixes it kept. */
export interface FeedUse {
  readonly file: FeedFile;
  readonly network: string;
  readonly kept: number;
}

/** A network with every entry resolved, other networks and feeds expanded. */
export interface NetworkModel extends Declared {
  readonly ranges: readonly AddressRange[];
}

/** A profile with its login IP ranges resolved. */
export interface ProfileModel extends Declared {
  readonly userLicense?: string;
  /** A Salesforce-managed standard profile (metadata `custom` false). */
  readonly standard?: boolean;
  readonly permissions: readonly Permission[];
  /** Empty when the profile has no login IP restriction. */
  readonly loginIpRanges: readonly AddressRange[];
}

/** A permission set. */
export interface PermissionSetModel extends Declared {
  readonly permissions: readonly Permission[];
}

/** A permission set group: its resolved members and the permissions its muting set removes. */
export interface PermissionSetGroupModel extends Declared {
  /** Member permission sets that resolve (unknown members are reported and left out). */
  readonly permissionSets: readonly string[];
  readonly mutingPermissions: readonly Permission[];
}

/** The IP relaxation values of docs/semantics.md §4.8. */
export type IpRelaxation = "ENFORCE" | "ENFORCE_RELAXREFRESH" | "BYPASS_2FACTOR" | "BYPASS";

/** A connected app with defaults applied and references resolved. */
export interface ConnectedAppModel extends Declared {
  readonly clientIds: readonly string[];
  readonly installed: boolean;
  readonly blocked: boolean;
  readonly adminApproved: boolean;
  readonly profiles: readonly string[];
  readonly permissionSets: readonly string[];
  readonly ipRelaxation: IpRelaxation;
  readonly trustedIpRanges: readonly AddressRange[];
  readonly highAssurance?: "block" | "stepUp";
  /** Undefined means any site. */
  readonly sites?: readonly string[];
  readonly runAsUser?: string;
  readonly metadataType: "ConnectedApp" | "ExternalClientApplication";
}

/** A declared user. */
export interface UserModel extends Declared {
  readonly username?: string;
  readonly userType: UserType;
  readonly profile: string;
  readonly permissionSets: readonly string[];
  readonly permissionSetGroups: readonly string[];
  readonly integration: boolean;
}

/** A declared Experience site. */
export type SiteModel = Declared;

/** One test case: a request and the decision expected for it. */
export interface TestCaseModel {
  readonly name: string;
  readonly origin: Origin;
  /** The request as written: a schema-checked `Request` unless `raw`. */
  readonly request: unknown;
  readonly raw: boolean;
  readonly expect: {
    readonly allow: boolean;
    readonly reasons?: readonly string[];
    readonly notes?: readonly string[];
  };
}

/** A `Test` declaration. */
export interface TestModel extends Declared {
  readonly cases: readonly TestCaseModel[];
}

/** An acknowledged review finding; its subject resolves and its expiry is a calendar date. */
export interface AcknowledgementModel extends Declared {
  readonly finding: string;
  /** The declaration the finding is about; undefined means the org-wide settings. */
  readonly subject?: { readonly kind: Kind; readonly name: string };
  /** A pattern over the findings' subjects, instead of or besides `subject`. */
  readonly match?: { readonly kind?: Kind; readonly name?: string; readonly userLicense?: string };
  readonly reason: string;
  /** The last day it holds, `YYYY-MM-DD`. */
  readonly expires?: string;
}

/** A validated, resolved policy set: every reference resolves and every range is parsed. */
export interface PolicySet {
  readonly org: OrgModel;
  readonly networks: ReadonlyMap<string, NetworkModel>;
  readonly profiles: ReadonlyMap<string, ProfileModel>;
  readonly permissionSets: ReadonlyMap<string, PermissionSetModel>;
  readonly permissionSetGroups: ReadonlyMap<string, PermissionSetGroupModel>;
  readonly apps: ReadonlyMap<string, ConnectedAppModel>;
  readonly users: ReadonlyMap<string, UserModel>;
  readonly sites: ReadonlyMap<string, SiteModel>;
  readonly tests: ReadonlyMap<string, TestModel>;
  readonly acknowledgements: ReadonlyMap<string, AcknowledgementModel>;
  readonly feeds: readonly FeedUse[];
  /** SHA-256 of every policy file, by path relative to the policy directory. */
  readonly fileHashes: ReadonlyMap<string, string>;
}
