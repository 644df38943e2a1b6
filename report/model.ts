/**
 * The data an access report shows, as plain serializable values: what `buildReport` computes from
 * the compiled policy and the bundle, and what the page's script reads.
 */
import type { UserGrantors } from "../impact/user-grantors.js";

/** A place in the policy YAML: file relative to the policy directory, 1-based line. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

/** A request family the matrix decides for every subject and app: one channel and one grant. */
export interface GrantFamily {
  readonly id: string;
  readonly label: string;
  readonly channel: "api" | "ui";
  readonly grant: string;
}

/** A matrix row: the user a representative request is made for. */
export interface MatrixSubject extends UserGrantors {
  readonly kind: "profile" | "permission-set" | "permission-set-group";
  /** What the row is called on the page. */
  readonly label: string;
  readonly userType: string;
  /** The profile's login IP ranges, by network name or as written; empty when unrestricted. */
  readonly networks: readonly string[];
  readonly source: SourceRef;
}

/** A matrix column: a connected app and the client id the requests name. */
export interface MatrixApp {
  readonly name: string;
  readonly label: string;
  readonly clientId: string | null;
  readonly ipRelaxation: string;
  readonly source: SourceRef;
}

/** How the source address matters to a cell, as the runtime decided it. */
export type IpOutcome =
  /** The profile has no login IP ranges, or they cover every address. */
  | "anywhere"
  /** From outside the profile's ranges the request is denied: it is limited to them. */
  | "limited"
  /** From outside the ranges the app's relaxation lets it through (note IP_RESTRICTION_RELAXED). */
  | "relaxed"
  /** Relaxed only once the user's identity is verified (BYPASS_2FACTOR without trusted ranges). */
  | "relaxed-verified"
  /** Not asked: the request is denied for another reason already. */
  | "n/a";

/** One reason of a decision, as the page shows it. */
export interface VerdictReason {
  readonly code: string;
  readonly message: string;
  readonly source: (SourceRef & { readonly kind: string; readonly name: string }) | null;
}

/** What the runtime decided for one subject, app and family; shared by every cell that decided alike. */
export interface Verdict {
  readonly allow: boolean;
  /** Indexes into `Matrix.reasons`, in the decision's order. */
  readonly reasons: readonly number[];
  readonly notes: readonly string[];
  readonly ip: IpOutcome;
  /** The app's IP relaxation and what it does for this grant, in words. */
  readonly relaxation: string;
  /** Set when the request is allowed only in a high-assurance session: the reason code otherwise. */
  readonly highAssurance: string | null;
}

/** The effective access matrix. `cells[row][app * families.length + family]` indexes `verdicts`. */
export interface Matrix {
  readonly families: readonly GrantFamily[];
  readonly subjects: readonly MatrixSubject[];
  readonly apps: readonly MatrixApp[];
  readonly verdicts: readonly Verdict[];
  /** Every distinct reason of every verdict, stored once. */
  readonly reasons: readonly VerdictReason[];
  readonly cells: readonly (readonly number[])[];
  /** The addresses the representative requests came from, per profile: inside and outside its ranges. */
  readonly addresses: Readonly<Record<string, { readonly inside: string; readonly outside: string | null }>>;
}
