import jsYaml from "js-yaml";
import { isScalar, LineCounter, Schema, type ScalarTag } from "yaml";

/**
 * The fast reading of a policy file: js-yaml for the values, about ten times faster than the
 * `yaml` package's parser on large files, which is kept for everything positional (diagnostics,
 * the nodes that `locate` walks) and run only when a position is asked for.
 *
 * CONTRACT: `fastRead` returns the documents only when they are exactly what the `yaml`-only
 * reading (`parsePolicyFile`'s options) would produce for a file it accepts without a
 * diagnostic: the same values, document indices, positions of the document contents and line
 * starts. Whenever it cannot vouch for that it returns undefined, and the caller reads the file
 * with `yaml` alone, which then reports whatever is wrong. It never reports anything itself.
 */
export interface FastDocument {
  /** 0-based index of the document in its file, as `yaml`'s `parseAllDocuments` numbers it. */
  readonly index: number;
  readonly value: unknown;
  /** Offset of the document's contents (what `doc.contents.range[0]` is with `yaml`). */
  readonly contentsStart: number;
}

/** Documents of one file read by the fast path, and its line starts. */
export interface FastFile {
  readonly docs: readonly FastDocument[];
  readonly lines: LineCounter;
}

/**
 * Text the fast path leaves to `yaml`, because the two parsers could disagree there or because
 * the loader reports it. Deliberately coarse: it may send a harmless file to `yaml` (a label
 * `R & D`), never the reverse.
 */
const NEEDS_FULL_PARSER = new RegExp(
  [
    // Tags, anchors and aliases at the start of a token; merge keys; directives.
    /(?:^|[\s[\]{},:?-])[!&*]/.source,
    /<</.source,
    /^%/.source,
    // Explicit keys, and a collection written as a key: before a `:`, or as an entry of a flow
    // mapping. A flow mapping with no quote, comment or collection before its first `}` holds
    // none: plain scalars in flow cannot contain `}`.
    /(?:^|[\s[{,-])\?(?:\s|$)/.source,
    /[\]}]\s*:/.source,
    /\{[^}]*["'#[{]/.source,
    // Tabs, a carriage return without a line feed, a byte order mark inside the text.
    /\t/.source,
    /\r(?!\n)/.source,
    /\uFEFF/.source,
    /__proto__/.source,
    // A `-` with nothing after it on its line: js-yaml 4.3.2 lets an empty entry of an inner
    // sequence swallow the outer sequence's next entries.
    /(?:^|\s)-[ ]*(?:#.*)?\r?$/.source,
    // `---` or `...` with anything but a comment after it on its line: js-yaml takes `---a`
    // for a document start and accepts `--- a: 1`, both errors or text to `yaml`.
    /^(?:---|\.\.\.)(?![ ]*\r?$|[ ]+#)/.source,
    // A `#` right after a quote or a flow collection: `yaml` wants a space, js-yaml reads a comment.
    /["'\]}]#/.source,
    // A block scalar header with `+` or an indentation digit (`|+`, `>1`): the two count
    // trailing lines and a root scalar's indentation differently.
    /[|>](?:[1-9]?\+|[+-]?[1-9])/.source,
  ].join("|"),
  "m",
);

/** Deeper than this (counting from the document's root) the fast path leaves the file to `yaml`. */
const FAST_MAX_DEPTH = 24;
/**
 * A key longer than this goes to `yaml`: `yaml` refuses implicit keys over 1024 characters of
 * source, and a quoted key's source can be six times its value (`\u0041`).
 */
const FAST_MAX_KEY_LENGTH = 128;

/** The core schema's scalar tags that a plain scalar is matched against, in `yaml`'s order. */
const PLAIN_TAGS: readonly ScalarTag[] = new Schema({ schema: "core" }).tags.filter(
  (tag): tag is ScalarTag => tag.default === true && "test" in tag && tag.test instanceof RegExp,
);

class Unresolvable extends Error {}

/** The value `yaml` resolves a plain scalar to, with the very tags `yaml` uses. */
function resolvePlain(source: string): unknown {
  const tag = PLAIN_TAGS.find((t) => t.test!.test(source));
  if (!tag) return source;
  const resolved = tag.resolve(
    source,
    () => {
      throw new Unresolvable(source);
    },
    { intAsBigInt: false },
  );
  return isScalar(resolved) ? resolved.value : resolved;
}

/** One js-yaml type resolving every plain scalar that is not a string, as `yaml` does. */
const PLAIN_SCALAR = new jsYaml.Type("tag:gatehouse,fast-yaml:plain", {
  kind: "scalar",
  resolve: (source: string) => PLAIN_TAGS.some((t) => t.test!.test(source)),
  construct: resolvePlain,
});

/**
 * No explicit types at all: an explicit tag other than `!` is an unknown tag to js-yaml, which
 * throws; `!` itself never gets here (`NEEDS_FULL_PARSER`).
 */
const FAST_SCHEMA = new jsYaml.Schema({ implicit: [PLAIN_SCALAR], explicit: [] });

/** Line starts as `yaml`'s parser records them: 0, then the offset after every line feed. */
export function lineStartsOf(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines.addNewLine(i + 1);
  return lines;
}

/**
 * True when `value` holds nothing the fast path cannot vouch for: too deep; a too long key; a
 * key `null`, which is what js-yaml makes of a key that resolves to null (`~`, `null`, empty),
 * where `yaml` makes it "".
 */
function plainEnough(value: unknown, depth: number): boolean {
  if (depth > FAST_MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => plainEnough(item, depth + 1));
  if (value !== null && typeof value === "object") {
    // Keys, not entries: no pair array per key on files of hundreds of thousands of mappings.
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (key.length > FAST_MAX_KEY_LENGTH || key === "null" || !plainEnough(record[key], depth + 1)) return false;
    }
  }
  return true;
}

/** Reads `text` with js-yaml, or returns undefined when the file must be read by `yaml` (see the contract above). */
export function fastRead(text: string): FastFile | undefined {
  if (NEEDS_FULL_PARSER.test(text)) return undefined;
  const starts: number[] = [];
  let values: unknown[];
  try {
    // `maxDepth` bounds js-yaml's recursion (its types predate the option).
    const options: jsYaml.LoadOptions & { maxDepth: number } = {
      schema: FAST_SCHEMA,
      json: false,
      maxDepth: FAST_MAX_DEPTH + 8,
      onWarning: (warning) => {
        throw warning;
      },
      // The root node of each document opens at depth 1, at the first character of its contents.
      listener(event, state) {
        if (event === "open" && (state as unknown as { depth: number }).depth === 1) starts.push(state.position);
      },
    };
    values = jsYaml.loadAll(text, null, options);
  } catch {
    return undefined;
  }
  // Declarations are mappings. Anything else is reported by `yaml`'s reading, which also tells
  // an empty document from an explicit `null` (both null here) or an empty block scalar ("").
  const unsure = (v: unknown): boolean => v === null || typeof v !== "object" || Array.isArray(v) || !plainEnough(v, 0);
  if (starts.length !== values.length || values.some(unsure)) return undefined;
  const docs = values.map((value, index) => ({ index, value, contentsStart: starts[index]! }));
  return { docs, lines: lineStartsOf(text) };
}
