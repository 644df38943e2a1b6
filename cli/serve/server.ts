import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { canonicalJson } from "../../core/canonical-json.js";
import { DECISION_ENTRYPOINT, type Decision, type DecisionLog, type ReloadingAuthorizer } from "../../wasm/index.js";
import type { Route, ServerMetrics } from "./metrics.js";
import { latestRefusal } from "./refusal.js";

/** What the server needs: the authorizer, its metrics, and optionally a decision log. */
export interface ServerOptions {
  readonly authorizer: ReloadingAuthorizer;
  readonly metrics: ServerMetrics;
  readonly decisionLog?: DecisionLog | undefined;
  /** Largest request body, in bytes after decompression; larger ones are answered 413 (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

/** A listening server; `close` shuts it down gracefully. */
export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

const ENTRY = DECISION_ENTRYPOINT.split("/");

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** JSON with keys sorted, as OPA (Go) writes it; indented by two spaces for `?pretty`. */
function render(value: unknown, pretty: boolean): string {
  const canonical = canonicalJson(value);
  return pretty ? `${JSON.stringify(JSON.parse(canonical), null, 2)}\n` : canonical;
}

function send(res: ServerResponse, status: number, body: unknown, pretty: boolean): void {
  const text = render(body, pretty);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, error: HttpError, pretty: boolean): void {
  send(res, error.status, { code: error.code, message: error.message }, pretty);
}

/**
 * Reads the body, refusing more than `limit` bytes (413, answered at once; the rest is drained
 * and discarded) and gunzipping it when the client says so, with the same limit on the result.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = (): HttpError =>
    new HttpError(413, "invalid_parameter", `request body too large: the limit is ${limit} bytes`);
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limit) {
      reject(tooLarge());
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.byteLength;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on("error", (error) =>
      reject(new HttpError(400, "invalid_parameter", `could not read the body: ${error.message}`)),
    );
    req.on("end", () => {
      if (over) return;
      const body = Buffer.concat(chunks);
      if (!/^\s*gzip\s*$/i.test(req.headers["content-encoding"] ?? "")) {
        resolve(body.toString("utf8"));
        return;
      }
      try {
        resolve(gunzipSync(body, { maxOutputLength: limit }).toString("utf8"));
      } catch (error) {
        reject(
          error instanceof RangeError
            ? tooLarge()
            : new HttpError(400, "invalid_parameter", `could not gunzip the body: ${(error as Error).message}`),
        );
      }
    });
  });
}

/** The part of a decision at `path` (segments below the entry point), or undefined. */
function lookup(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key)) return undefined;
      node = node[Number(key)];
    } else if (typeof node === "object" && node !== null && Object.hasOwn(node, key)) {
      node = (node as Record<string, unknown>)[key];
    } else return undefined;
  }
  return node;
}

/** How a `/v1/data` or `/v0/data` path relates to what the server answers. */
type Target =
  | { readonly kind: "decision"; readonly below: readonly string[] }
  | { readonly kind: "outside" }
  | { readonly kind: "unserved" };

function target(segments: readonly string[], roots: readonly string[]): Target {
  if (ENTRY.every((s, i) => segments[i] === s)) return { kind: "decision", below: segments.slice(ENTRY.length) };
  const path = segments.join("/");
  const inside =
    path === "" ||
    roots.some((root) => root === "" || path === root || path.startsWith(`${root}/`) || root.startsWith(`${path}/`));
  return inside ? { kind: "unserved" } : { kind: "outside" };
}

function unserved(path: string): HttpError {
  return new HttpError(
    404,
    "resource_not_found",
    `gatehouse serve answers \`data.${ENTRY.join(".")}\` and the paths inside it, not \`data${path === "" ? "" : `.${path.replace(/\//g, ".")}`}\``,
  );
}

/**
 * The OPA-compatible request handler: `POST|GET /v1/data/gatehouse/decision[/…]` (and `/v0/data`),
 * `GET /health`, `GET /metrics`. Answers are shaped as OPA's REST API shapes them.
 */
export function handler(options: ServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { authorizer, metrics, decisionLog } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  /**
   * Decides `input` (possibly absent) when `below` is a path inside the decision (undefined
   * `below`: a document outside the bundle, which is undefined); logs it; returns the result.
   */
  function evaluate(
    input: unknown,
    below: readonly string[] | undefined,
    path: string,
    req: IncomingMessage,
    handlerStart: bigint,
  ): { result: unknown; decisionId?: string; metrics: Record<string, number> } {
    let decision: Decision | undefined;
    let evalNs = 0;
    // Without input the policy still decides (INPUT_INVALID), exactly as OPA evaluates it.
    if (below !== undefined) {
      const start = process.hrtime.bigint();
      decision = authorizer.decide(input);
      evalNs = Number(process.hrtime.bigint() - start);
      metrics.decided(decision, evalNs / 1e9);
    }
    const result = decision === undefined || below === undefined ? undefined : lookup(decision, below);
    const timers = {
      timer_rego_query_eval_ns: evalNs,
      timer_server_handler_ns: Number(process.hrtime.bigint() - handlerStart),
    };
    if (!decisionLog) return { result, metrics: timers };
    const decisionId = randomUUID();
    if (decisionLog.sampled()) {
      decisionLog.record(
        path,
        input === undefined ? undefined : JSON.stringify(input),
        result,
        authorizer.revision,
        evalNs,
        {
          decisionId,
          requestedBy: `${req.socket.remoteAddress ?? ""}:${req.socket.remotePort ?? ""}`,
          metrics: { timer_server_handler_ns: timers.timer_server_handler_ns },
        },
      );
    }
    return { result, decisionId, metrics: timers };
  }

  async function data(req: IncomingMessage, res: ServerResponse, url: URL, version: "v0" | "v1"): Promise<void> {
    const start = process.hrtime.bigint();
    const pretty = url.searchParams.has("pretty") && url.searchParams.get("pretty") !== "false";
    const raw = url.pathname.slice(`/${version}/data`.length).replace(/^\//, "");
    let segments: string[];
    try {
      segments = raw === "" ? [] : raw.split("/").map(decodeURIComponent);
    } catch {
      throw new HttpError(400, "invalid_parameter", "the path has a malformed %-escape");
    }
    const path = segments.join("/");
    if (req.method !== "GET" && req.method !== "POST") {
      res.setHeader("Allow", version === "v1" ? "GET, POST" : "POST");
      throw new HttpError(405, "invalid_parameter", `gatehouse serve is read-only: ${req.method ?? ""} is not allowed`);
    }
    if (version === "v0" && req.method !== "POST") {
      res.setHeader("Allow", "POST");
      throw new HttpError(405, "invalid_parameter", "the v0 data API takes POST only");
    }
    const where = target(segments, authorizer.current.manifest.roots ?? [""]);
    if (where.kind === "unserved") throw unserved(path);

    let input: unknown;
    let inputGiven = false;
    if (req.method === "POST") {
      const text = await readBody(req, maxBodyBytes);
      if (text.trim() !== "") {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (error) {
          throw new HttpError(
            400,
            "invalid_parameter",
            `body contains malformed input document: ${(error as Error).message}`,
          );
        }
        if (version === "v0") {
          input = body;
          inputGiven = true;
        } else {
          if (typeof body !== "object" || body === null || Array.isArray(body))
            throw new HttpError(
              400,
              "invalid_parameter",
              "body contains malformed input document: the body must be a JSON object",
            );
          const value = (body as Record<string, unknown>).input;
          inputGiven = value !== undefined && value !== null;
          input = inputGiven ? value : undefined;
        }
      }
    } else {
      const given = url.searchParams.get("input");
      if (given !== null) {
        try {
          input = JSON.parse(given);
          inputGiven = input !== null;
        } catch (error) {
          throw new HttpError(
            400,
            "invalid_parameter",
            `parameter contains malformed input document: ${(error as Error).message}`,
          );
        }
      }
    }

    const outcome = evaluate(
      inputGiven ? input : undefined,
      where.kind === "decision" ? where.below : undefined,
      path,
      req,
      start,
    );
    if (version === "v0") {
      if (outcome.result === undefined)
        throw new HttpError(
          404,
          "undefined_document",
          `document missing: data${path === "" ? "" : `.${path.replace(/\//g, ".")}`}`,
        );
      send(res, 200, outcome.result, pretty);
      return;
    }
    const body: Record<string, unknown> = {};
    if (outcome.decisionId !== undefined) body.decision_id = outcome.decisionId;
    if (url.searchParams.has("metrics") && url.searchParams.get("metrics") !== "false") body.metrics = outcome.metrics;
    if (outcome.result !== undefined) body.result = outcome.result;
    if (req.method === "POST" && !inputGiven)
      body.warning = { code: "api_usage_warning", message: "'input' key missing from the request" };
    send(res, 200, body, pretty);
  }

  /**
   * 200 `{}` while the bundle in use decides (as OPA answers); when the latest new bundle was
   * refused, still 200 (the last good one serves) with the refusal under `bundle`.
   */
  function health(res: ServerResponse): void {
    if (!authorizer.health().healthy) {
      send(res, 500, { error: "the policy could not be restarted after a trap" }, false);
      return;
    }
    const refused = latestRefusal(authorizer);
    send(res, 200, refused ? { bundle: { revision: authorizer.revision, refused } } : {}, false);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<Route> {
    const url = new URL(req.url ?? "/", "http://gatehouse");
    const pretty = url.searchParams.has("pretty") && url.searchParams.get("pretty") !== "false";
    const path = url.pathname;
    const version = /^\/(v1|v0)\/data(\/|$)/.exec(path)?.[1] as "v1" | "v0" | undefined;
    try {
      if (version) {
        const clean = path.replace(/\/{2,}/g, "/");
        if (clean !== path) {
          res.writeHead(307, { Location: clean + url.search }).end();
          return version === "v1" ? "data" : "v0-data";
        }
        if (path.endsWith("/") && path !== `/${version}/data/`) {
          res.writeHead(301, { Location: path.replace(/\/+$/, "") + url.search }).end();
          return version === "v1" ? "data" : "v0-data";
        }
        await data(req, res, url, version);
        return version === "v1" ? "data" : "v0-data";
      }
      if (path === "/health" && req.method === "GET") {
        health(res);
        return "health";
      }
      if (path === "/metrics" && req.method === "GET") {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { "Content-Type": metrics.registry.contentType }).end(text);
        return "metrics";
      }
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
      res.end("404 page not found\n");
      return "other";
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader("Connection", "close");
        if (!res.headersSent) sendError(res, error, pretty);
      } else if (!res.headersSent) {
        send(res, 500, { code: "internal_error", message: (error as Error).message }, pretty);
      }
      return version === "v1" ? "data" : version === "v0" ? "v0-data" : "other";
    }
  }

  return (req, res) => {
    const start = process.hrtime.bigint();
    void route(req, res).then((name) => {
      metrics.answered(name, res.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
    });
  };
}

/** Starts the server on `host:port` (port 0 picks a free one). */
export async function startServer(
  options: ServerOptions & { readonly host: string; readonly port: number },
): Promise<RunningServer> {
  const server = createServer({ keepAliveTimeout: 5000 }, handler(options));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
