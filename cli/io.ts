/** How a command talks to the outside world; the real process or a test double. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is a terminal (colour, progress). */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** The working directory that output paths are made relative to (defaults to the process's). */
  readonly cwd?: string;
}

/** The process's own streams. */
export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Whether to colour output: a terminal, and neither NO_COLOR nor CI-style dumb terminals. */
export function useColor(io: Io): boolean {
  return io.isTTY && io.env.NO_COLOR === undefined && io.env.TERM !== "dumb";
}

/** Exit codes: 0 ok, 1 policy errors or deny, 2 usage or environment error. */
export const EXIT = { ok: 0, policy: 1, usage: 2 } as const;

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
