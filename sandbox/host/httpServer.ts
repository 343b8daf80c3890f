/**
 * The host's HTTP front: a request on loopback becomes an `HttpRequest` for the function its route finds,
 * behind a function key where authLevel asks for one, and the function's `HttpResponse` goes back on the wire.
 */
import { type IncomingMessage, type ServerResponse } from "node:http";
import { HttpRequest, HttpResponse, type HttpResponseInit } from "@azure/functions";
import { LoopbackServer } from "../loopbackServer";
import { triggerOf, type Registration } from "./functionsCore";
import { type HostLog } from "./hostLog";
import { findRoute, type CompiledRoute } from "./httpRoutes";

export interface HttpServerOptions {
  /** Route prefix, as host.json's extensions.http.routePrefix. */
  routePrefix: string;
  /** Require a key as Azure does (Core Tools does not, locally): function or master key on function routes. */
  functionKeys?: string[];
  /** The master (admin) key: the only key that opens authLevel admin routes (it opens function routes too). */
  masterKey?: string;
  /** Told when a function has run (the host's queue pollers look again: it may have added messages). */
  afterInvocation?: () => void;
}

export class HttpTriggerServer {
  private server: LoopbackServer | undefined;
  private port = 0;

  constructor(
    private readonly routes: CompiledRoute[],
    private readonly options: HttpServerOptions,
    private readonly log: HostLog,
  ) {}

  /** Listens on the port (0: any free one) and returns the port. */
  async listen(port: number): Promise<number> {
    this.server = new LoopbackServer((req, res) => void this.serve(req, res));
    this.port = await this.server.listen(port);
    return this.port;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const url = new URL(req.url ?? "/", `http://localhost:${this.port}`);
      const method = (req.method ?? "GET").toUpperCase();
      const found = findRoute(this.routes, url.pathname, `/${this.options.routePrefix}/`, method);
      if ("error" in found) {
        res.writeHead(found.status, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: found.error }));
        return;
      }
      if (!this.keyAccepted(found.route.registration, req, url)) {
        res.writeHead(401);
        res.end();
        return;
      }
      const request = httpRequestOf(req, url, method, found.params, chunks);
      const context = this.log.newContext(found.route.registration, { params: found.params });
      let result: HttpResponseInit | HttpResponse | undefined;
      try {
        result = (await found.route.registration.handler(request, context)) as
          HttpResponseInit | HttpResponse | undefined;
      } finally {
        this.options.afterInvocation?.();
      }
      await writeResponse(res, result);
    } catch (error) {
      // The real host answers 500 with no detail when a handler throws.
      this.log.handlerThrew(error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }

  /** As Azure: anonymous routes need no key, function routes a function or the master key, admin routes the master key. */
  private keyAccepted(registration: Registration, req: IncomingMessage, url: URL): boolean {
    const authLevel = String(triggerOf(registration).authLevel ?? "anonymous");
    const { functionKeys, masterKey } = this.options;
    if (authLevel === "anonymous" || (!functionKeys && masterKey === undefined)) return true;
    const key = req.headers["x-functions-key"] ?? url.searchParams.get("code");
    if (typeof key !== "string") return false;
    if (masterKey !== undefined && key === masterKey) return true;
    return authLevel !== "admin" && (functionKeys ?? []).includes(key);
  }
}

function httpRequestOf(
  req: IncomingMessage,
  url: URL,
  method: string,
  params: Record<string, string>,
  chunks: Buffer[],
): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  const request = new HttpRequest({
    method,
    url: url.toString(),
    headers,
    query: Object.fromEntries(url.searchParams) as Record<string, string>,
    params,
    body: chunks.length > 0 ? { bytes: Buffer.concat(chunks) } : undefined,
  });
  // HttpRequestInit takes a flat query record; keep repeated options as the real host does.
  for (const name of new Set(url.searchParams.keys())) {
    request.query.delete(name);
    for (const value of url.searchParams.getAll(name)) request.query.append(name, value);
  }
  return request;
}

async function writeResponse(res: ServerResponse, result: HttpResponseInit | HttpResponse | undefined): Promise<void> {
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? { status: 204 });
  const outHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => (outHeaders[name] = value));
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, outHeaders);
  res.end(body);
}
