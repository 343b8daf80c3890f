/**
 * A Universal Print simulator on loopback that speaks Microsoft Graph's wire format as documented
 * (shared/reference/graph-print-api.md and the seed page): get and list jobs of printers and shares,
 * get printer, $select, $expand, @odata.nextLink paging, JSON $batch, Graph error bodies, 401 without a
 * token, 403 without the application roles, the app-only limits (no listing of printers or shares), and
 * fault injection (429 with Retry-After, 5xx, slow answers, dropped or cut connections, non-JSON bodies).
 */
import { randomUUID } from "node:crypto";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { type PrintJob, type Printer } from "../../src/graph/types";
import { LoopbackServer } from "../loopbackServer";
import { decodeToken, type TokenClaims } from "../tokens";
import { graphError, graphHost, withRequestId, type Answer } from "./answers";
import { refuseToken } from "./authentication";
import { answerBatch } from "./batch";
import { faultAnswer, takeFault, type Fault } from "./faults";
import { getPrintResource } from "./printResources";

export interface SimPrinter {
  printer: Printer;
  jobs: Map<string, PrintJob>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  inBatch: boolean;
  authorized: boolean;
  at: number;
}

export interface SimulatorOptions {
  /** Added to every top-level request (a $batch counts once). */
  latencyMs?: number;
  /** Jobs per page on list endpoints (Graph documents none; $top may lower it). */
  pageSize?: number;
  /** The token audience the simulator accepts (the cloud's Graph resource). */
  audience?: string;
  /** Pretend app-only printer listing works (it is documented as unsupported). */
  allowAppOnlyPrinterListing?: boolean;
  /** Require a token on every request (default true). */
  requireAuth?: boolean;
  /**
   * Refuse /print/shares/{id}/jobs[/{id}] to application tokens with 403, as the older Graph page says
   * ("Get printerShare" access, which no application role grants). Default false: the newer page's reading.
   */
  refuseAppOnlyShareJobs?: boolean;
}

export type RouteHandler = (ctx: {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  token: TokenClaims | undefined;
  match: RegExpMatchArray;
}) =>
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | Promise<{ status: number; body?: unknown; headers?: Record<string, string> }>;

export class UniversalPrintSimulator {
  readonly printers = new Map<string, SimPrinter>();
  /** shareId -> printerId */
  readonly shares = new Map<string, string>();
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  /** How many answers (top-level or in a batch) an injected fault has shaped so far: the suites' "faults injected" figure. */
  faultsServed = 0;
  private readonly routes: { method: string; pattern: RegExp; handler: RouteHandler }[] = [];
  private server: LoopbackServer | undefined;
  private port = 0;
  latencyMs: number;
  pageSize: number;
  readonly audience: string;
  allowAppOnlyPrinterListing: boolean;
  requireAuth: boolean;
  refuseAppOnlyShareJobs: boolean;

  constructor(options: SimulatorOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.pageSize = options.pageSize ?? 50;
    this.audience = options.audience ?? graphHost;
    this.allowAppOnlyPrinterListing = options.allowAppOnlyPrinterListing ?? false;
    this.requireAuth = options.requireAuth ?? true;
    this.refuseAppOnlyShareJobs = options.refuseAppOnlyShareJobs ?? false;
  }

  /** The Graph base URL to configure as GRAPH_BASE_URL (version included). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1.0`;
  }

  async start(port = 0): Promise<this> {
    this.server = new LoopbackServer((req, res) => void this.handle(req, res));
    this.port = await this.server.listen(port);
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  // ---- state -------------------------------------------------------------------------------------

  addPrinter(printer: Printer & { id: string }, shareId?: string): SimPrinter {
    const entry: SimPrinter = { printer: { isShared: shareId !== undefined, ...printer }, jobs: new Map() };
    this.printers.set(printer.id, entry);
    if (shareId) this.shares.set(shareId, printer.id);
    return entry;
  }

  addJob(printerId: string, job: PrintJob & { id: string }): PrintJob {
    const printer = this.printers.get(printerId);
    if (!printer) throw new Error(`no printer ${printerId}`);
    printer.jobs.set(job.id, job);
    return job;
  }

  job(printerId: string, jobId: string): PrintJob {
    const job = this.printers.get(printerId)?.jobs.get(jobId);
    if (!job) throw new Error(`no job ${jobId} on ${printerId}`);
    return job;
  }

  /** Moves a job to another state, as the printer would. */
  setJobState(
    printerId: string,
    jobId: string,
    state: string,
    extra: { description?: string; details?: string[]; isAcquiredByPrinter?: boolean } = {},
  ): void {
    const job = this.job(printerId, jobId);
    job.status = { ...job.status, state, description: extra.description ?? `The job is ${state}.`, ...extra };
  }

  /** Adds a route for endpoints outside Universal Print (e.g. servicePrincipals for the grant script). */
  addRoute(method: string, pattern: RegExp, handler: RouteHandler): void {
    this.routes.push({ method, pattern, handler });
  }

  inject(fault: Fault): Fault {
    this.faults.push({ ...fault });
    return this.faults[this.faults.length - 1]!;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests that reached the simulator, optionally only those whose path matches. */
  count(path?: RegExp, options: { inBatch?: boolean } = {}): number {
    return this.requests.filter(
      (r) => (!path || path.test(r.path)) && (options.inBatch === undefined || r.inBatch === options.inBatch),
    ).length;
  }

  // ---- wire ----------------------------------------------------------------------------------------

  private takeFault(method: string, path: string, inBatch: boolean): Fault | undefined {
    const fault = takeFault(this.faults, method, path, inBatch);
    if (fault) this.faultsServed++;
    return fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const path = decodeURIComponent(url.pathname).replace(/^\/v1\.0/, "");
    const requestId = randomUUID();
    if (this.latencyMs > 0) await delay(this.latencyMs);

    const fault = this.takeFault(method, path, false);
    if (fault?.delayMs) await delay(fault.delayMs);
    const record = (status: number, authorized: boolean): void => {
      this.requests.push({ method, path, query: url.search, status, inBatch: false, authorized, at: Date.now() });
    };
    if (fault?.drop === "reset") {
      record(0, true);
      req.socket.destroy();
      return;
    }
    const answer = fault?.status
      ? faultAnswer(fault)
      : await this.answer(method, path, url.searchParams, chunks, req.headers.authorization);
    record(answer.status, answer.status !== 401);
    const headers: Record<string, string> = {
      "request-id": requestId,
      "client-request-id": String(req.headers["client-request-id"] ?? requestId),
      ...answer.headers,
    };
    let text = answer.raw ?? (answer.body === undefined ? "" : JSON.stringify(withRequestId(answer.body, requestId)));
    if (fault?.drop === "nonJson") text = "<html><body>Service Unavailable</body></html>";
    headers["content-type"] = answer.raw !== undefined || fault?.drop === "nonJson" ? "text/html" : "application/json";
    if (fault?.drop === "truncate") {
      res.writeHead(answer.status, { ...headers, "content-length": String(Buffer.byteLength(text)) });
      res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      setTimeout(() => req.socket.destroy(), 5);
      return;
    }
    res.writeHead(answer.status, headers);
    res.end(text);
  }

  /** A top-level request's answer when no fault shapes it: its JSON body read, then routed. */
  private async answer(
    method: string,
    path: string,
    query: URLSearchParams,
    chunks: Buffer[],
    authorization: string | undefined,
  ): Promise<Answer> {
    let body: unknown;
    try {
      body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
    } catch {
      return graphError(400, "BadRequest", "Unable to read JSON request payload.");
    }
    return this.route(method, path, query, body, this.tokenOf(authorization), authorization);
  }

  private tokenOf(authorization: string | undefined): TokenClaims | undefined {
    const match = /^Bearer (.+)$/.exec(authorization ?? "");
    return match ? decodeToken(match[1]!) : undefined;
  }

  private async route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
    token: TokenClaims | undefined,
    authorization: string | undefined,
  ): Promise<Answer> {
    const refused = this.requireAuth ? refuseToken(authorization, token, this.audience) : undefined;
    if (refused) return refused;
    for (const route of this.routes) {
      const match = route.method === method ? path.match(route.pattern) : null;
      if (match) return route.handler({ method, path, query, body, token, match });
    }
    if (method === "POST" && path === "/$batch")
      return answerBatch(body, (stepMethod, stepPath, url) =>
        this.batchStep(stepMethod, stepPath, url, token, authorization),
      );
    if (method !== "GET")
      return graphError(405, "Request_BadRequest", `Method ${method} is not allowed on this resource.`);
    return getPrintResource(this, path, query, token);
  }

  /** One step of a $batch: faults that apply in batches, then routed as a GET; recorded as a batch request. */
  private async batchStep(
    method: string,
    path: string,
    url: URL,
    token: TokenClaims | undefined,
    authorization: string | undefined,
  ): Promise<Answer> {
    const fault = this.takeFault(method, path, true);
    let answer: Answer;
    if (fault?.status) answer = faultAnswer(fault);
    else if (method !== "GET")
      answer = graphError(400, "BadRequest", "Only GET is supported in this simulator's batches.");
    else answer = await this.route(method, path, url.searchParams, undefined, token, authorization);
    this.requests.push({
      method,
      path,
      query: url.search,
      status: answer.status,
      inBatch: true,
      authorized: answer.status !== 401,
      at: Date.now(),
    });
    return answer;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
