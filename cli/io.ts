import { readFileSync } from "node:fs";

/** How a command talks to the outside world; the real process or a test double. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is a terminal (colour, progress). */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** The working directory that output paths are made relative to (defaults to the process's). */
  readonly cwd?: string;
  /** `--no-color` sets false; otherwise the environment and the terminal decide (`useColor`). */
  readonly color?: boolean;
  /** Reads all of standard input, for `-` as a file name (defaults to the process's). */
  readonly stdin?: () => string;
}

/** The process's own streams. */
export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    stdin: () => readFileSync(0, "utf8"),
  };
}

/**
 * Whether to colour output, first rule that applies: `--no-color` never; `FORCE_COLOR` always
 * (unless it is `0` or `false`), as Node.js reads it; `NO_COLOR` (not empty) never; otherwise on a
 * terminal that is not `TERM=dumb`.
 */
export function useColor(io: Io): boolean {
  if (io.color === false) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return false;
  return io.isTTY && io.env.TERM !== "dumb";
}

/** The text of `path`, or of standard input when it is `-`; unreadable is a usage error naming `what`. */
export function readInput(io: Io, path: string, what: string): string {
  try {
    return path === "-" ? (io.stdin ?? (() => readFileSync(0, "utf8")))() : readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CliError(`cannot read ${what} \`${path === "-" ? "standard input" : path}\`: ${reason}`);
  }
}

/** Exit codes: 0 ok, 1 policy errors or deny, 2 usage or environment error. */
export const EXIT = { ok: 0, policy: 1, usage: 2 } as const;

/**
 * The exit code of a policy set with errors: 2 when a file or the directory itself could not be
 * read (GH009: a missing directory is a usage or environment error), otherwise 1.
 */
export function errorExit(diagnostics: readonly { readonly code: string }[]): number {
  return diagnostics.some((d) => d.code === "GH009") ? EXIT.usage : EXIT.policy;
}

/** A failure that ends a command with a message, an exit code and, where it has one, a diagnostic code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    readonly hint?: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
