import { Authorizer, BundleError, type Decision } from "../../wasm/index.js";
import { terminalSafe } from "../format/terminal-safe.js";
import { palette } from "../format/text.js";
import { CliError, EXIT, readInput, useColor, type Io } from "../io.js";
import { verificationFor, type VerificationCliOptions } from "./verification-options.js";

/** Options of `gatehouse eval`. */
export interface EvalOptions extends VerificationCliOptions {
  readonly bundle: string;
  readonly input?: string;
  readonly inputs?: string;
  readonly format: "json" | "pretty";
  readonly expect?: string;
}

interface Line {
  readonly number: number;
  readonly request: unknown;
  readonly error?: string;
}

/** The non-empty lines of a JSON Lines file, parsed; a line that is not JSON keeps its error. */
export function readJsonLines(text: string): Line[] {
  const lines: Line[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    try {
      lines.push({ number: i + 1, request: JSON.parse(raw) as unknown });
    } catch (error) {
      lines.push({
        number: i + 1,
        request: undefined,
        error: `line ${i + 1} is not valid JSON: ${(error as Error).message}`,
      });
    }
  });
  return lines;
}

function field(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "?";
}

function describeRequest(request: unknown): string {
  const r = (request ?? {}) as {
    user?: { profile?: unknown; userType?: unknown };
    app?: { clientId?: unknown } | null;
    grant?: unknown;
    channel?: unknown;
    sourceIp?: unknown;
  };
  const app = r.app === null ? "no app" : `app ${field(r.app?.clientId)}`;
  return `${field(r.user?.profile)} (${field(r.user?.userType)}) via ${app}, ${field(r.channel)}/${field(r.grant)} from ${field(r.sourceIp)}`;
}

function pretty(index: number, request: unknown, d: Decision, color: boolean): string {
  const p = palette(color);
  const verdict = d.allow ? p.green(p.bold("ALLOW")) : p.red(p.bold("DENY "));
  // Request values and the messages quoting them are escaped: a request is untrusted input.
  const safe = terminalSafe;
  const lines = [`${String(index).padStart(3)}  ${verdict}  ${safe(describeRequest(request))}`];
  for (const r of d.reasons)
    lines.push(
      `          ${p.red(safe(r.code))}: ${safe(r.message)}${r.source ? p.dim(`  (${safe(r.source.file)}:${r.source.line})`) : ""}`,
    );
  for (const n of d.notes) lines.push(`          ${p.yellow(safe(n.code))}: ${safe(n.message)}`);
  return lines.join("\n");
}

interface Expectation {
  readonly allow: boolean;
  readonly reasons: readonly string[];
  readonly notes?: readonly string[];
}

/** Compares a decision with an expected one: allow, reason codes in order, and note codes when given. */
export function mismatch(decision: Decision, expected: Expectation): string | undefined {
  const codes = decision.reasons.map((r) => r.code);
  const notes = decision.notes.map((n) => n.code);
  if (decision.allow !== expected.allow)
    return `expected ${expected.allow ? "allow" : "deny"}, got ${decision.allow ? "allow" : "deny"} (${codes.join(", ") || "no reasons"})`;
  if (codes.join(",") !== expected.reasons.join(","))
    return `expected reasons [${expected.reasons.join(", ")}], got [${codes.join(", ")}]`;
  if (expected.notes !== undefined && notes.join(",") !== expected.notes.join(","))
    return `expected notes [${expected.notes.join(", ")}], got [${notes.join(", ")}]`;
  return undefined;
}

function toExpectation(value: unknown): Expectation | undefined {
  const v = value as { allow?: unknown; reasons?: unknown; notes?: unknown } | null;
  if (!v || typeof v.allow !== "boolean") return undefined;
  const codes = (list: unknown): string[] | undefined =>
    Array.isArray(list)
      ? list.map((x) => (typeof x === "string" ? x : String((x as { code?: unknown }).code)))
      : undefined;
  const notes = codes(v.notes);
  return notes === undefined
    ? { allow: v.allow, reasons: codes(v.reasons) ?? [] }
    : { allow: v.allow, reasons: codes(v.reasons) ?? [], notes };
}

/** The requests of `--input` (one JSON document) or `--inputs` (JSON Lines); `-` is standard input. */
function requestLines(options: EvalOptions, io: Io): Line[] {
  const path = (options.input ?? options.inputs)!;
  const name = path === "-" ? "<stdin>" : path;
  const text = readInput(io, path, options.input !== undefined ? "input" : "inputs");
  if (options.input !== undefined) {
    try {
      return [{ number: 1, request: JSON.parse(text) as unknown }];
    } catch (error) {
      throw new CliError(`${name}: the input is not valid JSON: ${(error as Error).message}`);
    }
  }
  const lines = readJsonLines(text);
  // A line that is not JSON is a mistake in the file, not a request: stop before deciding any.
  const bad = lines.find((l) => l.error !== undefined);
  if (bad)
    throw new CliError(
      `${name}:${bad.number}: ${bad.error!.replace(/^line [0-9]+ is /, "")}`,
      EXIT.usage,
      "write one JSON request per line",
    );
  return lines;
}

/**
 * `gatehouse eval`: decides one request (`--input`, exit 1 when denied) or every line of a JSON
 * Lines file (`--inputs`, one decision per line in order), optionally checked against expected
 * decisions (`--expect`, exit 1 on any difference).
 */
export async function runEval(options: EvalOptions, io: Io): Promise<number> {
  if ((options.input === undefined) === (options.inputs === undefined)) {
    throw new CliError("give exactly one of `--input FILE` or `--inputs FILE.jsonl`");
  }
  const verification = verificationFor(options);
  let authorizer: Authorizer;
  try {
    authorizer = await Authorizer.load(options.bundle, verification ? { verification } : {});
  } catch (error) {
    if (error instanceof BundleError)
      throw new CliError(
        `cannot load bundle \`${options.bundle}\`: ${error.code}: ${error.message}`,
        EXIT.usage,
        error.code === "VERIFICATION_KEY_MISSING"
          ? "pass the signer's public key (or secret) with `--verification-key`"
          : undefined,
      );
    throw error;
  }
  const lines = requestLines(options, io);
  const decisions = lines.map((l) => authorizer.decide(l.request));
  const color = useColor(io);
  decisions.forEach((d, i) =>
    io.stdout(
      options.format === "pretty" ? `${pretty(i + 1, lines[i]!.request, d, color)}\n` : `${JSON.stringify(d)}\n`,
    ),
  );
  if (options.expect !== undefined) {
    const expected = readJsonLines(readInput(io, options.expect, "expectations"));
    if (expected.length !== decisions.length) {
      io.stderr(`gatehouse: ${options.expect} has ${expected.length} expectations for ${decisions.length} requests\n`);
      return EXIT.policy;
    }
    let failures = 0;
    decisions.forEach((d, i) => {
      const want = toExpectation(expected[i]!.request);
      const problem =
        want === undefined
          ? `line ${expected[i]!.number} of ${options.expect} is not an expectation`
          : mismatch(d, want);
      if (problem !== undefined) {
        failures++;
        io.stderr(`gatehouse: request ${i + 1}: ${terminalSafe(problem)}\n`);
      }
    });
    const p = palette(color);
    io.stderr(
      failures === 0
        ? `gatehouse: ${p.green(`all ${decisions.length} decisions match ${options.expect}`)}\n`
        : `gatehouse: ${p.red(`${failures} of ${decisions.length} decisions differ from ${options.expect}`)}\n`,
    );
    return failures === 0 ? EXIT.ok : EXIT.policy;
  }
  if (options.input !== undefined) return decisions[0]?.allow ? EXIT.ok : EXIT.policy;
  return EXIT.ok;
}
