import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

type Json = unknown;

interface Pending {
  resolve: (value: Json) => void;
  reject: (error: Error) => void;
}

/**
 * A minimal Language Server Protocol client over stdio (JSON-RPC 2.0 with Content-Length
 * framing) for driving the real yaml-language-server in tests. Requests from the server
 * (`workspace/configuration`, `client/registerCapability`, ...) are answered with `settings`.
 */
export class LspClient {
  private readonly process: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: Array<(method: string, params: Json) => void> = [];
  /** Everything the server wrote to stderr, for failure messages. */
  stderr = "";

  private constructor(
    command: string,
    args: string[],
    private readonly settings: Record<string, Json>,
  ) {
    this.process = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.process.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    this.process.stderr.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString("utf8");
    });
    this.process.on("exit", () => {
      for (const p of this.pending.values()) p.reject(new Error(`language server exited\n${this.stderr}`));
      this.pending.clear();
    });
  }

  /** Starts the yaml-language-server this project pins, speaking LSP on stdio. */
  static yamlLanguageServer(settings: Record<string, Json>): LspClient {
    const pkg = createRequire(import.meta.url).resolve("yaml-language-server/package.json");
    return new LspClient(process.execPath, [join(dirname(pkg), "bin", "yaml-language-server"), "--stdio"], settings);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/Content-Length: *([0-9]+)/i.exec(this.buffer.subarray(0, end).toString("ascii"))?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length).toString("utf8");
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.dispatch(JSON.parse(body) as { id?: number; method?: string; params?: Json; result?: Json; error?: Json });
    }
  }

  private dispatch(message: { id?: number; method?: string; params?: Json; result?: Json; error?: Json }): void {
    if (message.method !== undefined && message.id !== undefined) {
      this.send({ jsonrpc: "2.0", id: message.id, result: this.answer(message.method, message.params) });
      return;
    }
    if (message.method !== undefined) {
      for (const listen of this.listeners) listen(message.method, message.params);
      return;
    }
    const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id!);
    if (message.error !== undefined) waiting.reject(new Error(JSON.stringify(message.error)));
    else waiting.resolve(message.result);
  }

  private answer(method: string, params: Json): Json {
    if (method === "workspace/configuration") {
      const items = (params as { items: Array<{ section?: string }> }).items;
      return items.map((i) => (i.section === undefined ? this.settings : (this.settings[i.section] ?? null)));
    }
    return null;
  }

  private send(message: Json): void {
    const body = Buffer.from(JSON.stringify(message), "utf8");
    this.process.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, "ascii"), body]));
  }

  /** Sends a request and resolves with its result. */
  request<T = Json>(method: string, params: Json): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: Json) => void, reject });
      this.send({ jsonrpc: "2.0", id, method, params });
    });
  }

  /** Sends a notification. */
  notify(method: string, params: Json): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  /** Resolves with the params of the first notification `method` for which `accept` holds. */
  waitFor<T = Json>(method: string, accept: (params: T) => boolean): Promise<T> {
    return new Promise<T>((resolve) => {
      this.listeners.push((m, params) => {
        if (m === method && accept(params as T)) resolve(params as T);
      });
    });
  }

  /** Shuts the server down and waits for it to exit. */
  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.process.once("exit", () => resolve()));
    try {
      await this.request("shutdown", null);
      this.notify("exit", null);
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.process.kill(), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
