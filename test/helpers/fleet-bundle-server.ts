/** The fleet test's static bundle server. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resource } from "./fleet-page.js";
import type { Revision } from "./fleet-servers.js";

/** What the bundle server answered, request by request. */
export interface Served {
  readonly client: "opa" | "gatehouse";
  readonly ifNoneMatch: string | undefined;
  readonly status: number;
  readonly etag: string;
}

/** A static bundle server: the published bundle at the resource path, with an ETag, 304 for a matching If-None-Match. */
export class BundleServer {
  readonly log: Served[] = [];
  private current: Revision | undefined;
  readonly server: Server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== `/${resource}` || !this.current) {
      res.writeHead(404).end();
      return;
    }
    const { bytes, etag } = this.current;
    const ifNoneMatch = req.headers["if-none-match"];
    const client = /Open-Policy-Agent/.test(req.headers["user-agent"] ?? "") ? "opa" : "gatehouse";
    const status = ifNoneMatch === etag ? 304 : 200;
    this.log.push({ client, ifNoneMatch, status, etag });
    if (status === 304) res.writeHead(304, { ETag: etag }).end();
    else
      res
        .writeHead(200, { ETag: etag, "Content-Type": "application/gzip", "Content-Length": bytes.byteLength })
        .end(bytes);
  });

  publish(revision: Revision): void {
    this.current = revision;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}
