import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { PolicySet } from "../model.js";

/** A semantic rule: inspects a resolved policy set and reports; never throws, never changes it. */
export interface Rule {
  /** A short kebab-case name, for tests and documentation. */
  readonly name: string;
  readonly check: (policy: PolicySet, report: (d: Diagnostic) => void) => void;
}
