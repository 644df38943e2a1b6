// Generated from schemas/*.schema.json by `npm run generate`; do not edit.
// A test regenerates this file and fails when it differs from the schemas.
/** The declaration's name, unique per kind and compared exactly (case-sensitive). Any non-empty string of at most 255 characters without control characters, so Salesforce API names such as `Northwind Partner/Reseller` fit. References to this declaration use this name. */
export type Name = string;
/** The name of another declaration. References are by name only; a label does not resolve. */
export type Reference = string;
/** The display name Salesforce shows for this declaration. Informational: references never resolve by label. */
export type Label = string;
/** Free text for the people who maintain this declaration. Never affects a decision. */
export type Description = string;
/** A user permission that Gatehouse evaluates. */
export type Permission = "ApiEnabled" | "ApiUserOnly" | "UseAnyApiClient" | "ApproveUninstalledConnectedApps";
/** The user permissions this declaration grants. A user's permissions are the union of their profile's and their permission sets'. */
export type Permissions = Permission[];
/** The Salesforce `User.UserType`. `PowerPartner`, `PowerCustomerSuccess`, `CustomerSuccess` and `CspLitePortal` are external (customers and partners); `Guest` is an unauthenticated site visitor. */
export type UserType =
  "Standard" | "PowerPartner" | "PowerCustomerSuccess" | "CustomerSuccess" | "CspLitePortal" | "Guest" | "CsnOnly";
/** An IPv4 or IPv6 CIDR prefix with its host bits zero (`10.0.0.0/8`, `2001:db8::/32`), or a single address meaning just that host. Addresses are strict: no leading zeros, no hex, integer or short IPv4 forms, no zone ids. A mapped prefix `::ffff:a.b.c.d/N` with N ≥ 96 is the IPv4 prefix `a.b.c.d/(N−96)`. */
export type Cidr = string;
/** A single strict IPv4 or IPv6 address (docs/semantics.md §2). `::ffff:a.b.c.d` is the IPv4 address `a.b.c.d`. */
export type Address = string;
/** A CIDR prefix or single address, with an optional description. */
export type CidrEntry = {
  readonly cidr: Cidr;
  readonly description?: Description;
};
/** An inclusive range of addresses, as Salesforce stores login IP ranges. Both ends are the same family (after IPv4-mapped normalization), start ≤ end, and the range may not straddle the IPv4-mapped block `::ffff:0:0/96`. */
export type RangeEntry = {
  /** The first address in the range (inclusive). */
  readonly start: Address;
  /** The last address in the range (inclusive); equal to `start` for a single host. */
  readonly end: Address;
  readonly description?: Description;
};
/** Every address of a declared `Network`, by name. */
export type NetworkEntry = {
  /** The name of a declared `Network`. */
  readonly network: Reference;
  readonly description?: Description;
};
/** One entry of an address list: a CIDR or single address written as a plain string, a `cidr` object, a `start`–`end` range, or a `network` by name. */
export type IpRange = Cidr | NetworkEntry | CidrEntry | RangeEntry;
/** A list of address ranges. Overlapping entries are merged when compiled; `gatehouse check` warns about overlaps. */
export type IpRanges = IpRange[];
/** The org-wide settings: API access control, session settings and trusted IP ranges. A policy set has exactly one `Org`. */
export type OrgDeclaration = {
  /** Always `Org`: the kind of declaration this document holds. */
  readonly kind: "Org";
  readonly name: Name;
  readonly label?: Label;
  readonly description?: Description;
  /** The Salesforce edition. API access control exists only in Professional, Enterprise, Performance, Unlimited and Developer editions; turning it on for another edition is a warning. */
  readonly edition?:
    "Essentials" | "Group" | "Professional" | "Enterprise" | "Performance" | "Unlimited" | "Developer" | "Personal";
  /** Setup → API Access Control. Both settings must be enabled by Salesforce Support in the org before they have any effect there. */
  readonly apiAccessControl?: {
    /** For admin-approved users, limit API access to only allowlisted connected apps (`enableAdminApprovedAppsOnly`). API calls must come through an installed, admin-approved connected app the user is assigned to, unless the user has `UseAnyApiClient`. */
    readonly allowlistedAppsOnly?: boolean;
    /** For customers and partners, limit API access to only installed connected apps (`enableAdminApprovedAppsOnlyForExternalUser`). External users may call APIs only through an installed, unblocked connected app (and, when the app lists `sites`, only from those Experience sites). */
    readonly customersAndPartnersInstalledAppsOnly?: boolean;
  };
  /** Setup → Session Settings that affect API access. */
  readonly session?: {
    /** Check profile login IP ranges on every request, not only at login (`enforceIpRangesEveryRequest`). */
    readonly enforceLoginIpRangesEveryRequest?: boolean;
    /** A session works only from the address it was created from (`lockSessionsToIp`). */
    readonly lockSessionsToIp?: boolean;
  };
  /** Setup → Network Access. Trusted ranges never block anyone: a login from inside them skips identity verification and the security token. */
  readonly trustedIpRanges?: IpRanges;
  /** Facts the source this declaration was imported from did not contain (for example an SFDX retrieve without the settings files). Decisions read them as the defaults, `gatehouse check` warns, and a review finding resting on one is reported as unverified, with what to retrieve. Never written by hand for a configured value. */
  readonly unseen?: Array<"apiAccessControl" | "session" | "trustedIpRanges">;
};
/** Every prefix of a provider feed file in the AWS `ip-ranges.json` format, filtered. The file's SHA-256 is recorded in the bundle manifest. */
export type NetworkFeedEntry = {
  /** Which feed file to read and which of its prefixes to keep. All given filters must match (an absent filter matches everything). */
  readonly feed: {
    /** Path of the feed file, relative to the YAML file that declares this network. */
    readonly file: string;
    /** The feed's format. */
    readonly format?: "aws-ip-ranges";
    /** Keep prefixes whose `region` is one of these. */
    readonly regions?: string[];
    /** Keep prefixes whose `service` is one of these. */
    readonly services?: string[];
    /** Keep prefixes whose `network_border_group` is one of these. */
    readonly networkBorderGroups?: string[];
    /** Keep only IPv4 (`4`) or only IPv6 (`6`) prefixes. */
    readonly families?: Array<4 | 6>;
    /** The expected SHA-256 of the file, in hex. When given, a different file is an error, so a feed update shows up as a reviewed change. */
    readonly sha256?: string;
  };
  readonly description?: Description;
};
/** A named, reusable set of addresses: CIDRs, start–end ranges, IPv4 and IPv6, other networks by name, and prefixes from a provider feed. Wherever ranges are accepted, a network may be named. */
export type NetworkDeclaration = {
  /** Always `Network`: the kind of declaration this document holds. */
  readonly kind: "Network";
  readonly name: Name;
  readonly label?: Label;
  readonly description?: Description;
  /** The network's addresses. A network must not be empty (a feed filter that matches nothing is an error). */
  readonly ranges: Array<NetworkFeedEntry | IpRange>;
};
/** A profile: the permissions it grants and its login IP ranges. Every user has exactly one profile. */
export type ProfileDeclaration = {
  /** Always `Profile`: the kind of declaration this document holds. */
  readonly kind: "Profile";
  readonly name: Name;
  readonly label?: Label;
  readonly description?: Description;
  /** The Salesforce user licence of the profile, e.g. `Salesforce Integration` for integration users (used by `gatehouse review`). */
  readonly userLicense?: string;
  /** True for a standard profile that Salesforce manages (metadata `custom` false): `gatehouse review` reports such profiles together, once, rather than one finding each. */
  readonly standard?: boolean;
  readonly permissions?: Permissions;
  /** Login IP ranges: once a profile has any, a login (or, with every-request enforcement, any request) from outside all of them is denied unless the connected app relaxes it. Empty or absent means no IP restriction. */
  readonly loginIpRanges?: IpRanges;
  /** Facts the source this declaration was imported from did not contain (for example a profile retrieved without its user permissions). Decisions read them as the defaults, `gatehouse check` warns, and a review finding resting on one is reported as unverified, with what to retrieve. Never written by hand for a configured value. */
  readonly unseen?: Array<"permissions" | "loginIpRanges" | "userLicense">;
};
/** A permission set: permissions granted on top of the profile, and a way to assign users to admin-approved connected apps. */
export type PermissionSetDeclaration = {
  /** Always `PermissionSet`: the kind of declaration this document holds. */
  readonly kind: "PermissionSet";
  readonly name: Name;
  readonly label?: Label;
  readonly description?: Description;
  readonly permissions?: Permissions;
};
/** A permission set group: a bundle of permission sets assigned as one. A user assigned the group holds the union of its members' permissions minus the muted ones, and is assigned to every connected app one of its members is assigned to (muting never removes app access). */
export type PermissionSetGroupDeclaration = {
  /** Always `PermissionSetGroup`: the kind of declaration this document holds. */
  readonly kind: "PermissionSetGroup";
  readonly name: Name;
  readonly label?: Label;
  readonly description?: Description;
  /** The group's member permission sets, by name. A group needs at least one member. */
  readonly permissionSets: Reference[];
  /** The permissions the group's muting permission set removes from what its members grant. Muting never removes connected app access. */
  readonly mutingPermissions?: Permissions;
  /** Facts the source this declaration was imported from did not contain (for example a group whose muting permission set was not retrieved). Decisions read them as the defaults, `gatehouse check` warns, and a review finding resting on one is reported as unverified, with what to retrieve. Never written by hand for a configured value. */
  readonly unseen?: Array<"permissionSets" | "mutingPermissions">;
};
/** A connected app (OAuth client): how it is installed, who may use it, and how it relaxes login IP ranges. */
export type ConnectedAppDeclaration = {
  /** Always `ConnectedApp`: the kind of declaration this document holds. */
  readonly kind: "ConnectedApp";
  readonly name: Name;
  readonly label?: Label;
  readonly description?: Description;
  /** The app's consumer keys. Requests name the app by client id. An app with none is a warning: no request can name it. */
  readonly clientIds?: string[];
  /** Installed in the org (Connected Apps OAuth Usage → Install). Uninstalled apps are blocked for most users. */
  readonly installed?: boolean;
  /** Blocked in Connected Apps OAuth Usage: nobody may use it. */
  readonly blocked?: boolean;
  /** Who may use the app. */
  readonly permittedUsers?: "selfAuthorize" | "adminApproved";
  /** Profiles whose users are pre-authorized. Meaningful only when `permittedUsers` is `adminApproved`. */
  readonly profiles?: Reference[];
  /** Permission sets whose users are pre-authorized. Meaningful only when `permittedUsers` is `adminApproved`. */
  readonly permissionSets?: Reference[];
  /** How the app relaxes the user's profile login IP ranges (only on the `api` channel, and never for JWT bearer, SAML bearer, password, SOAP login or session requests). */
  readonly ipRelaxation?: "ENFORCE" | "ENFORCE_RELAXREFRESH" | "BYPASS_2FACTOR" | "BYPASS";
  /** The app's own trusted ranges (Trusted IP Range for OAuth Web server flow). Used only by `BYPASS_2FACTOR`. */
  readonly trustedIpRanges?: IpRanges;
  /** The app's session policy. */
  readonly sessionPolicy?: {
    /** Require a high-assurance (MFA) session for this app. */
    readonly highAssurance?: {
      /** What happens to a session that is not high assurance. */
      readonly action: "block" | "stepUp";
    };
  };
  /** The Experience Cloud sites the app is installed in. When given, external users are allowed (under the customers-and-partners control) only from these sites; omit to mean any site. An empty list is an error. */
  readonly sites?: Reference[];
  /** The declared `User` that the client-credentials flow runs as. Used by `gatehouse review`; a name that matches no `User` is a warning. */
  readonly runAsUser?: Reference;
  /** How Salesforce stores the app: a classic connected app, or an External Client App (new apps since Spring '26). Used by `gatehouse import sfdx` and `gatehouse export sfdx` to write the right metadata files; never affects a decision. */
  readonly metadataType?: "ConnectedApp" | "ExternalClientApplication";
};
/** A declared user, typically an integration user. Used by review findings, by tests, and to check a client-credentials run-as user. */
export type UserDeclaration = {
  /** Always `User`: the kind of declaration this document holds. */
  readonly kind: "User";
  readonly name: Name;
  readonly label?: Label;
  readonly description?: Description;
  /** The Salesforce username (an email-like login name). */
  readonly username?: string;
  readonly userType?: UserType;
  /** The user's profile, by name. */
  readonly profile: Reference;
  /** The permission sets assigned to the user, by name. */
  readonly permissionSets?: Reference[];
  /** The permission set groups assigned to the user, by name. */
  readonly permissionSetGroups?: Reference[];
  /** An integration (system) user that should be API-only. */
  readonly integration?: boolean;
};
/** An Experience Cloud site, by name. Connected apps list the sites they are installed in. */
export type SiteDeclaration = {
  /** Always `Site`: the kind of declaration this document holds. */
  readonly kind: "Site";
  readonly name: Name;
  readonly label?: Label;
  readonly description?: Description;
};
/** Named test cases: a request and the decision expected for it. `gatehouse test` runs every case against the compiled WebAssembly. */
export type TestDeclaration = {
  /** Always `Test`: the kind of declaration this document holds. */
  readonly kind: "Test";
  readonly name: Name;
  readonly label?: Label;
  readonly description?: Description;
  /** The test cases, run in order. */
  readonly cases: Array<{
    /** What the case shows; unique within the test. */
    readonly name: string;
    readonly description?: Description;
    /** The request, checked against the request schema. */
    readonly request?: Request;
    /** A request that is not checked against the request schema, for testing `INPUT_INVALID`. */
    readonly rawRequest?: unknown;
    /** The expected decision. */
    readonly expect: {
      /** Whether the request is allowed. */
      readonly allow: boolean;
      /** The expected reason codes, in order. Defaults to none when `allow` is true. */
      readonly reasons?: DecisionReasonCode[];
      /** The expected note codes, in order. When absent, notes are not compared. */
      readonly notes?: DecisionNoteCode[];
    };
  }>;
};
/** Accepts one `gatehouse review` finding on one declaration (`subject`) or on every declaration a pattern matches (`match`), with a reason and an optional expiry date. An acknowledged finding is still reported, marked as acknowledged; it no longer fails `--fail-on`. An expired acknowledgement acknowledges nothing and is itself reported. Never affects a decision. */
export type AcknowledgementDeclaration = {
  /** Always `Acknowledgement`: the kind of declaration this document holds. */
  readonly kind: "Acknowledgement";
  readonly name: Name;
  readonly label?: Label;
  readonly description?: Description;
  /** The id of the review finding acknowledged (docs/review.md lists them). Acknowledgement findings themselves (GR012, GR013) cannot be acknowledged. */
  readonly finding:
    "GR001" | "GR002" | "GR003" | "GR004" | "GR005" | "GR006" | "GR007" | "GR008" | "GR009" | "GR010" | "GR011";
  /** The declaration the finding is about, by kind and name. Omit it for a finding about the org-wide settings. */
  readonly subject?: {
    /** The kind of the declaration. */
    readonly kind: "Org" | "Profile" | "PermissionSet" | "PermissionSetGroup" | "ConnectedApp" | "User";
    readonly name: Reference;
  };
  /** Acknowledges the finding on every declaration that matches, instead of one `subject`: a `name` glob (`*` any characters, `?` one) and/or a profile `userLicense`. With `subject` too, both must hold. */
  readonly match?: {
    /** Only declarations of this kind. */
    readonly kind?: "Profile" | "PermissionSet" | "PermissionSetGroup" | "ConnectedApp" | "User";
    /** A glob over the declaration's name: `*` matches any characters, `?` one; everything else literally. */
    readonly name?: string;
    /** Only profiles with this user licence (or users on such a profile). */
    readonly userLicense?: string;
  };
  /** Why the risk is accepted, for the people who review it: the compensating control, the ticket, the owner. */
  readonly reason: string;
  /** The last day (an ISO 8601 calendar date, `YYYY-MM-DD`) on which the acknowledgement holds. From the next day on it acknowledges nothing and is reported. */
  readonly expires?: string;
};
/** The input of a decision (docs/semantics.md §3): who calls, through which connected app, how and from where. What the user may do comes from the policy, never from the request. Unknown fields, wrong types and enum values in another case are invalid. */
export type Request = {
  /** The user making the request (for `client_credentials`, the app's run-as user). */
  readonly user: {
    /** An opaque id for logs; never affects the decision. */
    readonly id?: string;
    /** The Salesforce `User.UserType`. `PowerPartner`, `PowerCustomerSuccess`, `CustomerSuccess` and `CspLitePortal` are external; `Guest` is denied API access. */
    readonly userType:
      "Standard" | "PowerPartner" | "PowerCustomerSuccess" | "CustomerSuccess" | "CspLitePortal" | "Guest" | "CsnOnly";
    /** The user's profile, by name. An undeclared profile denies with `PROFILE_UNKNOWN`. */
    readonly profile: string;
    /** The user's permission sets, by name (default empty). Undeclared ones grant nothing. */
    readonly permissionSets?: string[];
    /** The user's permission set groups, by name (default empty). Each grants its members' permissions minus its muted ones; undeclared ones grant nothing. */
    readonly permissionSetGroups?: string[];
  };
  /** The connected app the request comes through, or `null` for none (allowed only for grants `password`, `soap_login` and `session`). */
  readonly app: {
    /** The app's consumer key. An undeclared one denies with `APP_UNKNOWN`. */
    readonly clientId: string;
  } | null;
  /** `api` for API calls, `ui` for the browser UI. */
  readonly channel: "api" | "ui";
  /** How the request authenticated. */
  readonly grant:
    | "web_server"
    | "user_agent"
    | "refresh_token"
    | "jwt_bearer"
    | "saml_bearer"
    | "client_credentials"
    | "device"
    | "password"
    | "soap_login"
    | "token_exchange"
    | "session";
  /** The client's address: a strict IPv4 or IPv6 address (docs/semantics.md §2). `::ffff:a.b.c.d` is the IPv4 address `a.b.c.d`. */
  readonly sourceIp: string;
  /** True for a login or token issuance, false for a later call on an existing session or access token. */
  readonly login: boolean;
  /** Facts about the session the request belongs to. */
  readonly session?: {
    /** The address the session was created from (strict, like `sourceIp`). */
    readonly originIp?: string;
    /** True when the session is high assurance (MFA). */
    readonly highAssurance?: boolean;
    /** True when the user passed identity verification on this device or browser. */
    readonly identityVerified?: boolean;
  };
  /** The Experience site the request comes through, by name. */
  readonly site?: string;
  /** True when the user authorized this uninstalled app before uninstalled apps were blocked. */
  readonly priorAuthorization?: boolean;
};
/** A stable reason code (docs/reasons.md). */
export type DecisionReasonCode =
  | "INPUT_INVALID"
  | "PROFILE_UNKNOWN"
  | "API_ONLY_USER_UI_DENIED"
  | "API_NOT_ENABLED"
  | "GUEST_API_DENIED"
  | "AAC_NO_CONNECTED_APP"
  | "AAC_APP_NOT_ALLOWLISTED"
  | "AAC_EXTERNAL_APP_NOT_INSTALLED"
  | "APP_UNKNOWN"
  | "APP_BLOCKED"
  | "APP_UNINSTALLED"
  | "APP_USER_NOT_APPROVED"
  | "RUN_AS_NOT_API_ONLY"
  | "IP_OUTSIDE_LOGIN_RANGES"
  | "SESSION_IP_MISMATCH"
  | "HIGH_ASSURANCE_REQUIRED"
  | "STEP_UP_REQUIRED"
  | "EVALUATION_ERROR";
/** A stable note code (docs/reasons.md). */
export type DecisionNoteCode = "IP_RESTRICTION_RELAXED" | "IDENTITY_VERIFICATION_REQUIRED" | "SECURITY_TOKEN_REQUIRED";
/** The output of a decision (docs/semantics.md §5). `reasons` is empty if and only if `allow` is true. */
export type Decision = {
  /** True when the request is allowed. */
  readonly allow: boolean;
  /** Why the request is denied, in decision order; empty when allowed. */
  readonly reasons: Array<{
    readonly code: DecisionReasonCode;
    /** A one-line explanation naming the declarations involved. */
    readonly message: string;
    /** The control that produced the reason. */
    readonly control: "input" | "api-access-control" | "connected-app" | "login-ip-ranges" | "session" | "runtime";
    /** The declaration responsible, or `null` when none is (input and runtime reasons, unknown apps). */
    readonly source: {
      /** The declaration's kind. */
      readonly kind: "Org" | "Profile" | "ConnectedApp";
      /** The declaration's name. */
      readonly name: string;
      /** The YAML file, relative to the policy directory. */
      readonly file: string;
      /** The 1-based line of the declaration's `kind` key. */
      readonly line: number;
    } | null;
  }>;
  /** Facts that never deny, in decision order. */
  readonly notes: Array<{
    readonly code: DecisionNoteCode;
    /** A one-line explanation. */
    readonly message: string;
  }>;
  /** The revision of the bundle that decided (its manifest `revision`). */
  readonly revision: string;
};
