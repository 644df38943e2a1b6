import type { Severity } from "./diagnostic.js";

/** One registered diagnostic code, with the documentation docs/diagnostics.md is generated from. */
export interface CodeSpec {
  readonly severity: Severity;
  /** A short stable slug, e.g. `duplicate-name`. */
  readonly slug: string;
  /** One line: what the code means. */
  readonly summary: string;
  /** A minimal YAML snippet that produces it; absent when no YAML can (see `situation`). */
  readonly example?: string;
  /** The situation that produces it, in words, for codes no YAML snippet shows. */
  readonly situation?: string;
  /** How to fix it. */
  readonly fix: string;
}

/**
 * Every diagnostic code Gatehouse reports. Codes are stable: a code is never reused for
 * another meaning. GH0xx: reading YAML; GH1xx: schema; GH2xx: semantic errors; GH3xx:
 * semantic warnings; GH4xx: toolchain and build.
 */
export const CODES = {
  GH001: {
    severity: "error",
    slug: "yaml-syntax",
    summary: "The file is not valid YAML.",
    example: "name: [unclosed",
    fix: "Correct the YAML syntax at the position shown.",
  },
  GH002: {
    severity: "error",
    slug: "yaml-duplicate-key",
    summary: "A mapping has the same key twice; YAML parsers disagree on which one wins.",
    example: "installed: true\ninstalled: false",
    fix: "Keep exactly one of the keys.",
  },
  GH003: {
    severity: "error",
    slug: "yaml-tag",
    summary: "An explicit YAML tag (`!!set`, `!!binary`, a custom tag) would build a non-JSON value.",
    example: "clientIds: !!set {a, b}",
    fix: "Remove the tag and write plain YAML values.",
  },
  GH004: {
    severity: "error",
    slug: "yaml-alias-limit",
    summary: "The file expands more aliases than allowed, as an alias bomb would.",
    example:
      "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
    fix: "Write the values out, or use fewer aliases.",
  },
  GH005: {
    severity: "error",
    slug: "file-too-large",
    summary: "A policy or feed file is larger than the size limit.",
    situation: "a policy file over 16 MiB, or a provider feed file over 64 MiB",
    fix: "Split the file, or move large address lists into a provider feed.",
  },
  GH006: {
    severity: "error",
    slug: "file-not-utf8",
    summary: "The file is not valid UTF-8 text.",
    situation: "a file saved as Latin-1, where `é` is the single byte 0xE9",
    fix: "Save the file as UTF-8.",
  },
  GH007: {
    severity: "error",
    slug: "yaml-too-deep",
    summary: "The YAML nests deeper than any Gatehouse declaration can.",
    situation: "a document whose lists or mappings nest more than 32 levels deep",
    fix: "Flatten the structure; declarations nest only a few levels.",
  },
  GH008: {
    severity: "error",
    slug: "no-policy-files",
    summary: "The directory holds no `*.yaml` or `*.yml` files.",
    situation: "`gatehouse check docs/` on a directory with no `*.yaml` or `*.yml` file at any depth",
    fix: "Point the command at the directory holding your declarations.",
  },
  GH009: {
    severity: "error",
    slug: "file-unreadable",
    summary: "A file or directory could not be read.",
    situation: "`gatehouse check polcies/` where the directory does not exist, or a file without read permission",
    fix: "Check the path and its permissions.",
  },
  GH010: {
    severity: "error",
    slug: "yaml-merge-key",
    summary: "A `<<` merge key: merge keys exist only in YAML 1.1 and Gatehouse reads YAML 1.2.",
    example: "kind: ConnectedApp\nname: erp\n<<: *defaults",
    fix: "Write the keys out in each mapping.",
  },
  GH011: {
    severity: "error",
    slug: "document-not-mapping",
    summary: "A YAML document is empty or is not a mapping with `kind` and `name`.",
    example: "---\n- just a list",
    fix: "Make each document a mapping that starts with `kind:` and `name:`.",
  },
  GH100: {
    severity: "error",
    slug: "unknown-kind",
    summary: "The document's `kind` is not one Gatehouse knows.",
    example: "kind: ConnectedApplication",
    fix: "Use one of Org, Network, Profile, PermissionSet, ConnectedApp, User, Site, Test, Acknowledgement.",
  },
  GH101: {
    severity: "error",
    slug: "missing-property",
    summary: "A required property is missing.",
    example: "kind: Profile\n# no name",
    fix: "Add the property.",
  },
  GH102: {
    severity: "error",
    slug: "unknown-property",
    summary: "A property the schema does not define; often a misspelling.",
    example: "kind: ConnectedApp\nname: erp\nclientID: [abc]",
    fix: "Correct the spelling (the hint suggests the closest property) or remove it.",
  },
  GH103: {
    severity: "error",
    slug: "wrong-type",
    summary:
      "A value has the wrong type, e.g. a number or a YAML 1.1 boolean word where a string or boolean is needed.",
    example: "installed: yes",
    fix: "Write the value with the expected type; quote strings that look like numbers, write booleans as `true`/`false`.",
  },
  GH104: {
    severity: "error",
    slug: "invalid-value",
    summary: "A value is not one of the allowed values.",
    example: "ipRelaxation: RELAX_IP_RESTRICTIONS",
    fix: "Use one of the values the message lists (the hint suggests the closest).",
  },
  GH105: {
    severity: "error",
    slug: "constraint",
    summary: "A value breaks a constraint: too short, too long, too few items, or not of the required form.",
    example: 'name: ""',
    fix: "Adjust the value to meet the constraint the message names.",
  },
  GH106: {
    severity: "error",
    slug: "duplicate-item",
    summary: "A list holds the same item twice.",
    example: "permissions: [ApiEnabled, ApiEnabled]",
    fix: "Remove the repeated item.",
  },
  GH200: {
    severity: "error",
    slug: "duplicate-name",
    summary: "Two declarations of the same kind have the same name.",
    example: "kind: Profile\nname: Integration\n---\nkind: Profile\nname: Integration",
    fix: "Rename or merge one of them.",
  },
  GH201: {
    severity: "error",
    slug: "duplicate-client-id",
    summary: "Two connected apps claim the same client id, so a request could not tell them apart.",
    example:
      "kind: ConnectedApp\nname: erp-sync\nclientIds: [3MVG9erp]\n---\nkind: ConnectedApp\nname: crm-sync\nclientIds: [3MVG9erp]",
    fix: "Give each app its own consumer key.",
  },
  GH202: {
    severity: "error",
    slug: "unresolved-reference",
    summary: "A reference names no declaration of that kind.",
    example: "profiles: [Integraton]",
    fix: "Correct the name (the hint suggests the closest, or the declaration whose label matched).",
  },
  GH203: {
    severity: "error",
    slug: "org-count",
    summary: "A policy set needs exactly one `Org`.",
    situation: "a policy directory with no `kind: Org` document, or with two",
    fix: "Declare exactly one Org.",
  },
  GH210: {
    severity: "error",
    slug: "invalid-address",
    summary:
      "An address is not strict IPv4 or IPv6: leading zeros, short, hex or integer forms and zone ids are rejected.",
    example: "loginIpRanges: [{start: 010.0.0.1, end: 10.0.0.9}]",
    fix: "Write the address in plain decimal dotted-quad or standard IPv6 form.",
  },
  GH211: {
    severity: "error",
    slug: "non-canonical-cidr",
    summary: "A CIDR prefix has host bits set, so it does not mean what it says.",
    example: "trustedIpRanges: [10.0.0.1/8]",
    fix: "Write the canonical prefix the hint gives (e.g. `10.0.0.0/8`).",
  },
  GH212: {
    severity: "error",
    slug: "invalid-prefix-length",
    summary: "A CIDR prefix length is missing, signed, has leading zeros or is too large for the family.",
    example: "trustedIpRanges: [10.0.0.0/08]",
    fix: "Write the length as a plain decimal number 0–32 (IPv4) or 0–128 (IPv6).",
  },
  GH213: {
    severity: "error",
    slug: "range-reversed",
    summary: "A range's start is after its end.",
    example: "loginIpRanges:\n  - {start: 10.0.0.9, end: 10.0.0.1}",
    fix: "Swap the ends.",
  },
  GH214: {
    severity: "error",
    slug: "range-mixed-families",
    summary: "A range's ends are of different families (after IPv4-mapped normalization).",
    example: 'loginIpRanges:\n  - {start: 10.0.0.1, end: "2001:db8::1"}',
    fix: "Use two ranges, one per family.",
  },
  GH215: {
    severity: "error",
    slug: "range-straddles-mapped",
    summary:
      "A start–end range includes addresses both inside and outside the IPv4-mapped block `::ffff:0:0/96`, which Salesforce rejects.",
    example: 'trustedIpRanges:\n  - {start: "::fffe:0:0", end: "::ffff:10.0.0.1"}',
    fix: "Split the range at the block boundary.",
  },
  GH216: {
    severity: "error",
    slug: "empty-network",
    summary: "A network has no addresses (including a feed filter that matched nothing).",
    example: "kind: Network\nname: eu\nranges: [{feed: {file: aws.json, regions: [eu-nowhere-1]}}]",
    fix: "Add ranges or correct the feed filter.",
  },
  GH217: {
    severity: "error",
    slug: "network-cycle",
    summary: "Networks refer to each other in a cycle.",
    example:
      "kind: Network\nname: office\nranges: [{network: vpn}]\n---\nkind: Network\nname: vpn\nranges: [{network: office}]",
    fix: "Break the cycle.",
  },
  GH218: {
    severity: "error",
    slug: "feed-invalid",
    summary:
      "A provider feed file cannot be used: unreadable, not the declared format, an invalid prefix, or a SHA-256 pin mismatch.",
    example:
      "kind: Network\nname: aws-eu\nranges:\n  - feed: {file: aws-ip-ranges.json, regions: [eu-west-1], sha256: 9f86d0…}",
    fix: "Fix the path or the file, or update the pin after reviewing the feed change.",
  },
  GH219: {
    severity: "error",
    slug: "empty-sites",
    summary: "A connected app lists an empty `sites`; omit `sites` to mean any site.",
    example: "sites: []",
    fix: "List the sites, or remove the key.",
  },
  GH220: {
    severity: "error",
    slug: "empty-permission-set-group",
    summary: "A permission set group has no member permission sets, so it grants nothing and assigns to no app.",
    example: "kind: PermissionSetGroup\nname: Sales_Ops\npermissionSets: []",
    fix: "List the group's member permission sets, or remove the group.",
  },
  GH221: {
    severity: "error",
    slug: "unseen-and-declared",
    summary: "A fact is both declared and listed as unseen.",
    example: "kind: Profile\nname: Sales\npermissions: [ApiEnabled]\nunseen: [permissions]",
    fix: "Remove it from `unseen` once its value is known, or remove the value.",
  },
  GH222: {
    severity: "error",
    slug: "empty-acknowledgement-match",
    summary: "An acknowledgement's `match` names no pattern, so it would accept the finding everywhere.",
    example: "kind: Acknowledgement\nname: all\nfinding: GR003\nmatch: {}\nreason: x",
    fix: "Give `match` a `name` glob or a `userLicense`, or name one `subject`.",
  },
  GH300: {
    severity: "warning",
    slug: "overlapping-ranges",
    summary: "Two ranges in one list overlap or one shadows the other.",
    example: "loginIpRanges: [10.0.0.0/8, 10.1.0.0/16]",
    fix: "Remove the shadowed range or merge the two.",
  },
  GH301: {
    severity: "warning",
    slug: "all-covering-range",
    summary: "A range covers every address of its family (`0.0.0.0/0`, `::/0`), so it restricts nothing.",
    example: "loginIpRanges: [0.0.0.0/0]",
    fix: "List the networks users really come from.",
  },
  GH302: {
    severity: "warning",
    slug: "v6-covers-mapped",
    summary:
      "An IPv6 prefix contains part of the IPv4-mapped block; that part never matches, because IPv4 clients are matched only by IPv4 ranges.",
    example: 'trustedIpRanges: ["::/0"]',
    fix: "Add the IPv4 ranges you meant explicitly.",
  },
  GH303: {
    severity: "warning",
    slug: "admin-approved-unassigned",
    summary:
      "An admin-approved connected app has no profile or permission set assigned, so only `UseAnyApiClient` holders can use it.",
    example: "permittedUsers: adminApproved\n# no profiles, no permissionSets",
    fix: "Assign the profiles or permission sets that should use the app.",
  },
  GH304: {
    severity: "warning",
    slug: "assignment-ignored",
    summary: "Profiles or permission sets are assigned to a self-authorize app; Salesforce ignores them.",
    example: "permittedUsers: selfAuthorize\nprofiles: [Integration]",
    fix: "Set `permittedUsers: adminApproved`, or remove the assignments.",
  },
  GH305: {
    severity: "warning",
    slug: "trusted-ranges-unused",
    summary: "An app has `trustedIpRanges` but its relaxation is not `BYPASS_2FACTOR`, the only mode that uses them.",
    example: "ipRelaxation: ENFORCE\ntrustedIpRanges: [203.0.113.0/24]",
    fix: "Set `ipRelaxation: BYPASS_2FACTOR`, or remove the ranges.",
  },
  GH306: {
    severity: "warning",
    slug: "app-without-client-id",
    summary: "A connected app has no client ids, so no request can name it.",
    example: "kind: ConnectedApp\nname: imported-app\n# no clientIds",
    fix: "Add the app's consumer key.",
  },
  GH307: {
    severity: "warning",
    slug: "run-as-user-unknown",
    summary: "A `runAsUser` names no declared `User`, so it cannot be reviewed.",
    example: "kind: ConnectedApp\nname: etl\nrunAsUser: etl-bot  # no `kind: User` named etl-bot",
    fix: "Declare the user, or correct the name.",
  },
  GH308: {
    severity: "warning",
    slug: "edition-without-aac",
    summary: "API access control is turned on for an edition that does not have it.",
    example: "edition: Essentials\napiAccessControl: {allowlistedAppsOnly: true}",
    fix: "Correct the edition, or turn the setting off.",
  },
  GH309: {
    severity: "warning",
    slug: "unseen-fact",
    summary:
      "A declaration was imported from an incomplete source: a fact was not seen, and decisions read it as the default.",
    example: "kind: Profile\nname: Sales\nunseen: [permissions]",
    fix: "Retrieve the missing metadata (the settings file, the profile with its user permissions) and import again.",
  },
  GH400: {
    severity: "error",
    slug: "opa-unavailable",
    summary:
      "The `opa` binary could not be found or built; the command exits 2 (an environment error, not a policy error).",
    situation: "`gatehouse build` on a machine with neither the pinned `opa` nor a Go toolchain",
    fix: "Install Go (Gatehouse then builds the pinned OPA itself) or set `OPA_BIN` to an `opa` binary of the pinned version.",
  },
  GH401: {
    severity: "error",
    slug: "opa-build-failed",
    summary:
      "`opa build` rejected the generated policy. This is a Gatehouse bug; please report it with the policy set.",
    situation: "`opa build` reports an error in the Rego Gatehouse generated",
    fix: "Report the bug; the message carries OPA's own error.",
  },
  GH402: {
    severity: "error",
    slug: "builtin-not-in-capabilities",
    summary:
      "The policy uses a builtin outside Gatehouse's WebAssembly capabilities, which the runtime could not evaluate.",
    situation: "a Rego template calling `time.now_ns()`, which the WebAssembly runtime does not implement",
    fix: "Use only builtins the WebAssembly target implements natively.",
  },
  GH403: {
    severity: "error",
    slug: "bundle-signing-failed",
    summary: "The bundle could not be signed with the given key. This is a Gatehouse bug when the key was accepted.",
    example: "a signing key the crypto library refuses after Gatehouse checked it",
    fix: "Report the bug with the key type and algorithm (never the key); the message carries the cause.",
  },
} as const satisfies Record<string, CodeSpec>;

/** A registered diagnostic code. */
export type DiagnosticCode = keyof typeof CODES;

/** Every registered code with its documentation, in registry order. */
export function codeSpecs(): Array<readonly [DiagnosticCode, CodeSpec]> {
  return (Object.keys(CODES) as DiagnosticCode[]).map((code) => [code, CODES[code]] as const);
}
