import { SIGNATURES_FILE } from "../../core/bundle-signing.js";
import { bundleSigner, signBundle } from "../../compiler/build/sign.js";
import { runServe, type ServeOptions } from "../../cli/commands/serve.js";
import { writeArchive } from "../../core/bundle-archive.js";
import { bundleFiles } from "../helpers/signing.js";

/** `bundle` signed with `privateKey` (RS256, key id `default`) over all of its files. */
export async function signed(bundle: Uint8Array, privateKey: string, scope?: string): Promise<Uint8Array> {
  const made = bundleSigner(new TextEncoder().encode(privateKey), scope === undefined ? {} : { scope });
  if (!made.ok) throw new Error(made.message);
  const files = await bundleFiles(bundle);
  files.delete(SIGNATURES_FILE);
  const result = await signBundle([...files.entries()], made.signer);
  if (!result.ok) throw new Error(result.message);
  return writeArchive([[SIGNATURES_FILE, result.signatures], ...files.entries()]);
}

/** A `gatehouse serve` running in this process, its captured stderr, and how to stop it. */
export interface InProcessServe {
  readonly url: string;
  readonly stderr: () => string;
  /** Stops the server and resolves with its exit code. */
  stop(): Promise<number>;
}

const DEFAULTS: Omit<ServeOptions, "bundle"> = {
  addr: "127.0.0.1",
  port: 0,
  watch: true,
  pollMin: 1,
  pollMax: 1,
  maxBodyBytes: 1024 * 1024,
  maxRequestBytes: 65536,
  decisionLogMask: [],
  decisionLogSample: 1,
};

/** Runs `gatehouse serve` in this process with `options`; rejects with what it throws before listening. */
export async function serveInProcess(options: Partial<ServeOptions> & { bundle: string }): Promise<InProcessServe> {
  let stderr = "";
  const stopper = new AbortController();
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const exit = runServe(
    { ...DEFAULTS, ...options },
    {
      stdout: () => undefined,
      stderr: (t) => {
        stderr += t;
      },
      isTTY: false,
      env: {},
    },
    { signal: stopper.signal, onListening: (u) => listening(u) },
  );
  const first = await Promise.race([url, exit.then((code) => ({ code }))]);
  if (typeof first !== "string") throw new Error(`serve returned ${first.code} before listening: ${stderr}`);
  return {
    url: first,
    stderr: () => stderr,
    stop: () => {
      stopper.abort();
      return exit;
    },
  };
}

/** Polls `condition` every 10 ms, for at most `ms`; throws naming `what` when it never holds. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** POSTs `input` to the decision and returns the result (undefined when the answer is not 200). */
export async function decideOver(url: string, input: unknown): Promise<{ status: number; result?: unknown }> {
  const response = await fetch(`${url}/v1/data/gatehouse/decision`, {
    method: "POST",
    body: JSON.stringify({ input }),
  });
  const body = (await response.json()) as { result?: unknown };
  return { status: response.status, result: body.result };
}
