import { isIP } from "node:net";
import { BundleError, DecisionLog, OptionsError, ReloadingAuthorizer, type Authorizer } from "../../wasm/index.js";
import { terminalSafe } from "../format/terminal-safe.js";
import { CliError, EXIT, type Io } from "../io.js";
import { ServerMetrics } from "../serve/metrics.js";
import { startServer, type RunningServer } from "../serve/server.js";
import { verificationFor, type VerificationCliOptions } from "./verification-options.js";

/** Options of `gatehouse serve`. */
export interface ServeOptions extends VerificationCliOptions {
  readonly bundle: string;
  readonly addr: string;
  readonly port: number;
  readonly watch: boolean;
  readonly pollMin: number;
  readonly pollMax: number;
  readonly maxBodyBytes: number;
  readonly maxRequestBytes: number;
  readonly decisionLog?: string;
  readonly decisionLogMask: readonly string[];
  readonly decisionLogSample: number;
  /** Seconds a new bundle's policy may take to load (instantiate, setData, probe) in a worker. */
  readonly loadTimeout?: number;
}

/** Hooks for running the server inside another program (tests): a stop signal, and the address once listening. */
export interface ServeControl {
  readonly signal?: AbortSignal;
  readonly onListening?: (url: string) => void;
}

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/** Resolves with what asked the server to stop: SIGINT, SIGTERM, or the control signal. */
function stopRequested(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const finish = (why: string): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      signal?.removeEventListener("abort", onAbort);
      resolve(why);
    };
    const onSignal = (name: NodeJS.Signals): void => finish(name);
    const onAbort = (): void => finish("stop requested");
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * `gatehouse serve`: answers OPA's REST API for the bundle's decision, reloading the bundle
 * when the file changes or the URL serves a new one, until SIGINT or SIGTERM; then stops
 * accepting, finishes the requests in flight, flushes the decision log and exits 0.
 */
export async function runServe(options: ServeOptions, io: Io, control: ServeControl = {}): Promise<number> {
  // Read the key before anything else starts, so a bad key option changes nothing.
  const verification = verificationFor(options);
  const say = (text: string): void => io.stderr(terminalSafe(text) + "\n");
  const warnUnverified = (loaded: Authorizer): void => {
    if (loaded.signature === "unverified")
      say(
        `gatehouse: warning: revision ${loaded.revision} is signed, but its signature is not verified; pass \`--verification-key\` to verify it`,
      );
  };
  let log: DecisionLog | undefined;
  if (options.decisionLog !== undefined) {
    try {
      log = DecisionLog.open({
        sink: options.decisionLog,
        mask: options.decisionLogMask,
        sampleRate: options.decisionLogSample,
        bundleName: "gatehouse",
        onError: (error) => io.stderr(`gatehouse: decision log: ${error.message}\n`),
      });
    } catch (error) {
      if (error instanceof OptionsError) throw new CliError(error.message);
      throw error;
    }
  }

  let authorizer: ReloadingAuthorizer;
  try {
    authorizer = await ReloadingAuthorizer.open(options.bundle, {
      // The same verification gates the first bundle and every reload, by file watch or URL.
      ...(verification ? { verification } : { acceptUnverifiedSignature: true }),
      maxRequestBytes: options.maxRequestBytes,
      loadTimeoutMs: (options.loadTimeout ?? 10) * 1000,
      watch: options.watch,
      watchOptions: { minDelayMs: options.pollMin * 1000, maxDelayMs: options.pollMax * 1000 },
      onReload: ({ revision, previous }) => {
        say(`gatehouse: loaded revision ${revision} (was ${previous})`);
        warnUnverified(authorizer.current);
      },
      onReloadError: (error) => {
        say(
          `gatehouse: kept revision ${authorizer.revision}; the new bundle was refused: ${error.code}: ${error.message}`,
        );
      },
    });
  } catch (error) {
    await log?.close();
    if (error instanceof BundleError)
      throw new CliError(terminalSafe(`cannot load bundle \`${options.bundle}\`: ${error.code}: ${error.message}`));
    if (error instanceof OptionsError) throw new CliError(error.message);
    throw error;
  }
  const metrics = new ServerMetrics(authorizer, log);

  let server: RunningServer;
  try {
    server = await startServer({
      authorizer,
      metrics,
      decisionLog: log,
      maxBodyBytes: options.maxBodyBytes,
      host: options.addr,
      port: options.port,
    });
  } catch (error) {
    await authorizer.close();
    await log?.close();
    throw new CliError(
      `cannot listen on ${options.addr}:${options.port}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }

  // Listen for a stop before saying we serve, so a signal sent as soon as the address is printed is handled.
  const stop = stopRequested(control.signal);
  if (!isLoopback(options.addr))
    io.stderr(
      `gatehouse: warning: listening on ${options.addr}, reachable from other machines; the API has no authentication\n`,
    );
  warnUnverified(authorizer.current);
  io.stderr(`gatehouse: serving revision ${authorizer.revision} from ${options.bundle} on ${server.url}\n`);
  control.onListening?.(server.url);

  const reason = await stop;
  io.stderr(`gatehouse: ${reason}: finishing requests in flight\n`);
  await server.close();
  await authorizer.close();
  await log?.close();
  io.stderr("gatehouse: stopped\n");
  return EXIT.ok;
}
