import { evaluationError, type Decision, type DecisionNote, type DecisionReason } from "./decision.js";
import { BundleError } from "./errors.js";

/**
 * The bundle path of the explanation table the compiler emits (compiler/emit/explain-table.ts):
 * how the runtime entry point's reason and note keys become the reasons and notes of a decision.
 * The runtime reads it into JavaScript and never loads it into WebAssembly memory.
 */
export const EXPLAIN_FILE = "gatehouse/explain/data.json";

/** The declaration a reason cites: the request's profile, the request's app, the org, or none. */
type SourceRef = "profile" | "app" | "org" | null;

interface ReasonTemplate {
  readonly code: DecisionReason["code"];
  readonly control: DecisionReason["control"];
  readonly source: SourceRef;
  readonly message: string;
}

interface NoteTemplate {
  readonly code: DecisionNote["code"];
  readonly message: string;
}

/** A bundle's explanation table, checked: the templates by key, and the declarations' records. */
export interface ExplainTable {
  readonly reasons: ReadonlyMap<string, ReasonTemplate>;
  readonly notes: ReadonlyMap<string, NoteTemplate>;
  readonly org: unknown;
  readonly profiles: Readonly<Record<string, unknown>>;
  readonly apps: Readonly<Record<string, unknown>>;
}

/** The placeholders a message may hold (compiler/emit/explain-table.ts, PLACEHOLDERS). */
const PLACEHOLDERS = new Set(["profile", "clientId", "sourceIp", "originIp", "grant", "site", "app", "relaxation"]);
const SOURCE_REFS = new Set<unknown>(["profile", "app", "org", null]);
const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `record[key]` when it is the record's own property (never an inherited one such as `constructor`). */
function own(record: Readonly<Record<string, unknown>>, key: unknown): unknown {
  return typeof key === "string" && Object.hasOwn(record, key) ? record[key] : undefined;
}

const invalid = (what: string): BundleError =>
  new BundleError("DATA_INVALID", `\`${EXPLAIN_FILE}\` is not an explanation table: ${what}`);

/** Checks one message template: a string whose every `{name}` is a known placeholder. */
function checkMessage(key: string, message: unknown): string {
  if (typeof message !== "string") throw invalid(`\`${key}\` has no string \`message\``);
  for (const [, name] of message.matchAll(PLACEHOLDER))
    if (!PLACEHOLDERS.has(name!)) throw invalid(`\`${key}\` has the unknown placeholder \`{${name}}\``);
  return message;
}

function templates<T>(
  table: Record<string, unknown>,
  field: string,
  check: (key: string, t: Record<string, unknown>) => T,
): Map<string, T> {
  const section = table[field];
  if (!isRecord(section)) throw invalid(`it has no \`${field}\` object`);
  const out = new Map<string, T>();
  for (const [key, t] of Object.entries(section)) {
    if (!isRecord(t) || typeof t.code !== "string") throw invalid(`\`${field}.${key}\` has no string \`code\``);
    out.set(key, check(key, t));
  }
  return out;
}

/**
 * Reads and checks the bundle's explanation table, or undefined when the bundle has none (a bundle
 * whose runtime entry point answers whole decisions). Throws a DATA_INVALID BundleError when it is
 * not JSON, not of the table's shape, or carries another revision than the manifest.
 */
export function readExplainTable(files: ReadonlyMap<string, Uint8Array>, revision: string): ExplainTable | undefined {
  const bytes = files.get(EXPLAIN_FILE);
  if (bytes === undefined) return undefined;
  let table: unknown;
  try {
    table = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new BundleError("DATA_INVALID", `\`${EXPLAIN_FILE}\` is not valid JSON`, { cause: error });
  }
  if (!isRecord(table)) throw invalid("it is not an object");
  if (table.revision !== revision)
    throw invalid(`it carries revision \`${String(table.revision)}\`, but the manifest says \`${revision}\``);
  const reasons = templates(table, "reasons", (key, t) => {
    if (typeof t.control !== "string") throw invalid(`\`reasons.${key}\` has no string \`control\``);
    if (!SOURCE_REFS.has(t.source)) throw invalid(`\`reasons.${key}\` cites no known \`source\``);
    return {
      code: t.code,
      control: t.control,
      source: t.source,
      message: checkMessage(key, t.message),
    } as ReasonTemplate;
  });
  const notes = templates(
    table,
    "notes",
    (key, t) => ({ code: t.code, message: checkMessage(key, t.message) }) as NoteTemplate,
  );
  if (!isRecord(table.org) || !isRecord(table.profiles) || !isRecord(table.apps))
    throw invalid("it lacks the `org`, `profiles` or `apps` object");
  return { reasons, notes, org: table.org, profiles: table.profiles, apps: table.apps };
}

/** Why a compact decision cannot be expanded; caught in expandDecision and answered with EVALUATION_ERROR. */
class Unexplained extends Error {}

/** The request's fields and table entries that messages and sources need, read on demand. */
class Context {
  constructor(
    private readonly request: Record<string, unknown>,
    private readonly table: ExplainTable,
  ) {}

  private field(record: unknown, key: string): unknown {
    return isRecord(record) ? record[key] : undefined;
  }

  private app(): Record<string, unknown> {
    const clientId = this.field(this.request.app, "clientId");
    const app = own(this.table.apps, clientId);
    if (!isRecord(app)) throw new Unexplained(`the explanation table has no connected app \`${String(clientId)}\``);
    return app;
  }

  /** The value placeholder `name` stands for, not yet checked. */
  private lookup(name: string): unknown {
    const r = this.request;
    switch (name) {
      case "profile":
        return this.field(r.user, "profile");
      case "clientId":
        return this.field(r.app, "clientId");
      case "originIp":
        return this.field(r.session, "originIp");
      case "app":
        // A declaration's source names it.
        return this.field(this.app().source, "name");
      case "relaxation":
        return this.app().ipRelaxation;
      default:
        // `sourceIp`, `grant` or `site`: readExplainTable admits no other placeholder.
        return r[name];
    }
  }

  /** The text of placeholder `name`. */
  value(name: string): string {
    const value = this.lookup(name);
    if (typeof value !== "string") throw new Unexplained(`no text for the placeholder \`{${name}}\``);
    return value;
  }

  /** The source object a reason cites. */
  source(ref: SourceRef): DecisionReason["source"] {
    if (ref === null) return null;
    const source =
      ref === "org"
        ? this.table.org
        : ref === "app"
          ? this.app().source
          : own(this.table.profiles, this.field(this.request.user, "profile"));
    if (!isRecord(source)) throw new Unexplained(`the explanation table has no source for the ${ref}`);
    return source as DecisionReason["source"];
  }

  fill(message: string): string {
    return message.replace(PLACEHOLDER, (_, name: string) => this.value(name));
  }
}

function keys(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((k) => typeof k === "string"))
    throw new Unexplained(`the decision's \`${what}\` are not a list of keys`);
  return value;
}

function template<T>(map: ReadonlyMap<string, T>, key: string, what: string): T {
  const t = map.get(key);
  if (t === undefined) throw new Unexplained(`the explanation table has no ${what} \`${key}\``);
  return t;
}

/**
 * Expands the runtime entry point's answer for a request (a decision whose reasons and notes are
 * keys) into the decision the validating entry point gives: each reason `{code, control, message,
 * source}`, each note `{code, message}`, messages filled from the request and the table. Anything
 * else — not of that shape, `allow` disagreeing with the reasons, a key or a value the table or
 * request lacks — is EVALUATION_ERROR, never a decision built from guesses.
 */
export function expandDecision(value: unknown, request: unknown, table: ExplainTable, revision: string): Decision {
  try {
    if (!isRecord(value) || typeof value.allow !== "boolean" || typeof value.revision !== "string")
      throw new Unexplained("the policy returned no decision");
    const reasonKeys = keys(value.reasons, "reasons");
    if (value.allow !== (reasonKeys.length === 0))
      throw new Unexplained("the decision's `reasons` disagree with `allow`");
    const noteKeys = keys(value.notes, "notes");
    if (!isRecord(request)) throw new Unexplained("the request is not an object");
    const context = new Context(request, table);
    const reasons = reasonKeys.map((key) => {
      const t = template(table.reasons, key, "reason");
      return { code: t.code, control: t.control, message: context.fill(t.message), source: context.source(t.source) };
    });
    const notes = noteKeys.map((key) => {
      const t = template(table.notes, key, "note");
      return { code: t.code, message: context.fill(t.message) };
    });
    return { allow: value.allow, notes, reasons, revision: value.revision };
  } catch (error) {
    // INVARIANT: everything above throws only Unexplained errors; anything else would be denied alike.
    return evaluationError(`the decision cannot be explained: ${(error as Error).message}`, revision);
  }
}
