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

export const graphHost = "https://graph.microsoft.com";

/** Roles that satisfy "read print jobs" and "get printer" for application callers. */
const jobRoles = [
  "PrintJob.ReadBasic.All",
  "PrintJob.Read.All",
  "PrintJob.ReadWriteBasic.All",
  "PrintJob.ReadWrite.All",
  "PrintJob.Manage.All",
];
const printerRoles = ["Printer.Read.All", "Printer.ReadWrite.All", "Printer.FullControl.All"];

const printJobProperties = new Set([
  "id",
  "createdDateTime",
  "createdBy",
  "status",
  "configuration",
  "isFetchable",
  "redirectedFrom",
  "redirectedTo",
  "errorCode",
  "acknowledgedDateTime",
  "documents",
  "tasks",
]);

export interface SimPrinter {
  printer: Printer;
  jobs: Map<string, PrintJob>;
}

export interface Fault {
  /** Which requests: method and a pattern over the path (without /v1.0 and the query). Default: all. */
  method?: string;
  path?: RegExp;
  /** Apply to batch sub-requests (true), top-level requests (false), or both (undefined). */
  inBatch?: boolean;
  /** How many matching requests it hits; default: every one. */
  times?: number;
  status?: number;
  /** Retry-After header value (seconds). */
  retryAfter?: number;
  /** Delay before answering (or before dropping). */
  delayMs?: number;
  /** Drop the connection before answering, cut the body short, or answer with a non-JSON body. */
  drop?: "reset" | "truncate" | "nonJson";
  /** Graph error code for status faults. */
  code?: string;
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

export interface TokenClaims {
  aud: string;
  roles: string[];
  exp: number;
  oid?: string;
  tid?: string;
}

/** Decodes the simulator's JWT-shaped tokens (issued by the loopback identity endpoint). */
export function decodeToken(token: string): TokenClaims | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as TokenClaims;
    return typeof claims.aud === "string" && Array.isArray(claims.roles) ? claims : undefined;
  } catch {
    return undefined;
  }
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw text instead of JSON. */
  raw?: string;
}

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
    for (const fault of this.faults) {
      if (fault.times !== undefined && fault.times <= 0) continue;
      if (fault.method && fault.method !== method) continue;
      if (fault.path && !fault.path.test(path)) continue;
      if (fault.inBatch !== undefined && fault.inBatch !== inBatch) continue;
      if (fault.times !== undefined) fault.times--;
      this.faultsServed++;
      return fault;
    }
    return undefined;
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
    let answer: Answer;
    if (fault?.status) {
      answer = faultAnswer(fault);
    } else {
      let body: unknown;
      try {
        body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
      } catch {
        answer = graphError(400, "BadRequest", "Unable to read JSON request payload.");
      }
      const token = this.tokenOf(req.headers.authorization);
      answer ??= await this.route(method, path, url.searchParams, body, token, req.headers.authorization);
    }
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
    if (this.requireAuth) {
      if (!authorization) return graphError(401, "InvalidAuthenticationToken", "Access token is empty.");
      if (!token)
        return graphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
      if (token.aud.replace(/\/$/, "") !== this.audience) {
        return graphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
      }
      if (token.exp * 1000 < Date.now())
        return graphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
    }
    for (const route of this.routes) {
      const match = route.method === method ? path.match(route.pattern) : null;
      if (match) return route.handler({ method, path, query, body, token, match });
    }
    if (method === "POST" && path === "/$batch") return this.batch(body, token, authorization);
    if (method !== "GET")
      return graphError(405, "Request_BadRequest", `Method ${method} is not allowed on this resource.`);
    return this.get(path, query, token);
  }

  private hasRoles(token: TokenClaims | undefined, ...sets: string[][]): boolean {
    if (!this.requireAuth) return true;
    return sets.every((set) => set.some((role) => token?.roles.includes(role)));
  }

  private get(path: string, query: URLSearchParams, token: TokenClaims | undefined): Answer {
    let m: RegExpMatchArray | null;
    // Every simulator token is an application token (roles, no user).
    if (this.refuseAppOnlyShareJobs && /^\/print\/shares\/[^/]+\/jobs(\/|$)/.test(path)) return accessDenied();
    if ((m = path.match(/^\/print\/(printers|shares)\/([^/]+)\/jobs\/([^/]+)$/))) {
      const printerId = m[1] === "printers" ? m[2]! : this.shares.get(m[2]!);
      if (!this.hasRoles(token, jobRoles, printerRoles)) return accessDenied();
      const job = printerId ? this.printers.get(printerId)?.jobs.get(m[3]!) : undefined;
      if (!job) return graphError(404, "itemNotFound", "The requested resource was not found.");
      return this.renderJob(job, m[1]!, m[2]!, query, false);
    }
    if ((m = path.match(/^\/print\/(printers|shares)\/([^/]+)\/jobs$/))) {
      if (!this.hasRoles(token, jobRoles, printerRoles)) return accessDenied();
      const printerId = m[1] === "printers" ? m[2]! : this.shares.get(m[2]!);
      const printer = printerId ? this.printers.get(printerId) : undefined;
      if (!printer) return graphError(404, "itemNotFound", "The requested resource was not found.");
      return this.listJobs(printer, m[1]!, m[2]!, query);
    }
    if ((m = path.match(/^\/print\/printers\/([^/]+)$/))) {
      if (!this.hasRoles(token, printerRoles)) return accessDenied();
      const printer = this.printers.get(m[1]!);
      if (!printer) return graphError(404, "itemNotFound", "The requested resource was not found.");
      return {
        status: 200,
        body: {
          "@odata.context": `${graphHost}/v1.0/$metadata#print/printers/$entity`,
          ...select(printer.printer, query.get("$select")),
        },
      };
    }
    if ((m = path.match(/^\/print\/shares\/([^/]+)\/printer$/))) {
      if (!this.hasRoles(token, printerRoles)) return accessDenied();
      const printer = this.printers.get(this.shares.get(m[1]!) ?? "");
      if (!printer) return graphError(404, "itemNotFound", "The requested resource was not found.");
      return {
        status: 200,
        body: {
          "@odata.context": `${graphHost}/v1.0/$metadata#print/printers/$entity`,
          ...select(printer.printer, query.get("$select")),
        },
      };
    }
    if (path === "/print/printers") {
      if (!this.allowAppOnlyPrinterListing) return appOnlyNotSupported();
      if (!this.hasRoles(token, printerRoles)) return accessDenied();
      const all = [...this.printers.values()].map((p) => p.printer);
      return this.page(all, "/print/printers", query, (p) => select(p, query.get("$select")));
    }
    if (
      path === "/print/shares" ||
      /^\/print\/shares\/[^/]+$/.test(path) ||
      /^\/print\/printers\/[^/]+\/shares/.test(path)
    ) {
      return appOnlyNotSupported();
    }
    return graphError(400, "BadRequest", `Resource not found for the segment '${path.split("/").pop()}'.`);
  }

  private renderJob(
    job: PrintJob,
    parentKind: string,
    parentId: string,
    query: URLSearchParams,
    inList: boolean,
  ): Answer {
    for (const name of query.keys()) {
      if (!["$select", "$expand"].includes(name) && !(inList && ["$top", "$skiptoken", "$filter"].includes(name))) {
        return graphError(400, "BadRequest", `Query option '${name}' is not allowed.`);
      }
    }
    const expand = (query.get("$expand") ?? "").split(",").filter(Boolean);
    for (const e of expand) {
      if (e !== "tasks" && e !== "documents") {
        return graphError(
          400,
          "BadRequest",
          `Could not find a property named '${e}' on type 'microsoft.graph.printJob'.`,
        );
      }
      if (inList && e === "tasks")
        return graphError(400, "BadRequest", "Expanding 'tasks' is not supported when listing print jobs.");
    }
    const selectList = (query.get("$select") ?? "").split(",").filter(Boolean);
    for (const s of selectList) {
      if (!printJobProperties.has(s))
        return graphError(
          400,
          "BadRequest",
          `Could not find a property named '${s}' on type 'microsoft.graph.printJob'.`,
        );
    }
    const { tasks, documents, ...rest } = job;
    let out: Record<string, unknown> = selectList.length > 0 ? pick(rest, ["id", ...selectList]) : { ...rest };
    if (expand.includes("tasks")) out = { ...out, tasks: tasks ?? [] };
    if (expand.includes("documents")) out = { ...out, documents: documents ?? [] };
    if (inList) return { status: 200, body: out };
    const context = `${graphHost}/v1.0/$metadata#print/${parentKind}('${parentId}')/jobs/$entity`;
    return { status: 200, body: { "@odata.context": context, ...out } };
  }

  private listJobs(printer: SimPrinter, parentKind: string, parentId: string, query: URLSearchParams): Answer {
    for (const name of ["$count", "$search", "$orderby", "$skip"]) {
      if (query.has(name)) return graphError(400, "BadRequest", `Query option '${name}' is not supported.`);
    }
    let jobs = [...printer.jobs.values()];
    const filter = query.get("$filter");
    if (filter) {
      const m = /^createdBy\/userPrincipalName eq '((?:[^']|'')*)'$/.exec(filter);
      if (!m)
        return graphError(400, "BadRequest", "Only createdBy/userPrincipalName eq '{upn}' is supported in $filter.");
      const upn = m[1]!.replace(/''/g, "'").toLowerCase();
      jobs = jobs.filter((j) => j.createdBy?.userPrincipalName?.toLowerCase() === upn);
    }
    const base = `/print/${parentKind}/${parentId}/jobs`;
    // The query's checks do not depend on the job: check once, then render only the page's jobs (large tenants stay fast).
    const probe = this.renderJob(jobs[0] ?? { id: "0" }, parentKind, parentId, query, true);
    if (probe.status !== 200) return probe;
    return this.page(jobs, base, query, (job) => this.renderJob(job, parentKind, parentId, query, true).body);
  }

  private page<T>(items: T[], base: string, query: URLSearchParams, render: (item: T) => unknown): Answer {
    const top = query.has("$top")
      ? Math.max(1, Math.min(Number(query.get("$top")) || this.pageSize, this.pageSize))
      : this.pageSize;
    const skip = query.has("$skiptoken")
      ? Number(Buffer.from(query.get("$skiptoken")!, "base64url").toString()) || 0
      : 0;
    const slice = items.slice(skip, skip + top);
    const body: Record<string, unknown> = {
      "@odata.context": `${graphHost}/v1.0/$metadata#Collection`,
      value: slice.map(render),
    };
    if (skip + top < items.length) {
      const next = new URLSearchParams(query);
      next.set("$skiptoken", Buffer.from(String(skip + top)).toString("base64url"));
      body["@odata.nextLink"] = `${this.baseUrl}${base}?${next.toString()}`;
    }
    return { status: 200, body };
  }

  private async batch(
    body: unknown,
    token: TokenClaims | undefined,
    authorization: string | undefined,
  ): Promise<Answer> {
    const requests = (body as { requests?: unknown } | undefined)?.requests;
    if (!Array.isArray(requests) || requests.length === 0)
      return graphError(400, "BadRequest", "Invalid batch payload format.");
    if (requests.length > 20)
      return graphError(400, "BadRequest", "Number of batch request steps exceeds the maximum value of 20.");
    const ids = new Set<string>();
    const responses = [];
    for (const raw of requests as { id?: unknown; method?: unknown; url?: unknown }[]) {
      const id = String(raw.id ?? "");
      if (!id || ids.has(id)) return graphError(400, "BadRequest", "Batch request ids must be unique and non-empty.");
      ids.add(id);
      const method = String(raw.method ?? "GET").toUpperCase();
      const url = new URL(String(raw.url ?? "/"), "http://x/v1.0/".replace(/\/v1\.0\/$/, "/"));
      const path = decodeURIComponent(url.pathname).replace(/^\/v1\.0/, "");
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
      responses.push({
        id,
        status: answer.status,
        headers: { "content-type": "application/json", ...answer.headers },
        body: answer.body,
      });
    }
    return { status: 200, body: { responses } };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function graphError(status: number, code: string, message: string, headers?: Record<string, string>): Answer {
  return {
    status,
    headers,
    body: { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19) } } },
  };
}

function withRequestId(body: unknown, requestId: string): unknown {
  const error = (body as { error?: { innerError?: Record<string, unknown> } }).error;
  if (error?.innerError)
    error.innerError = { ...error.innerError, "request-id": requestId, "client-request-id": requestId };
  return body;
}

function accessDenied(): Answer {
  return graphError(
    403,
    "accessDenied",
    "Either the signed-in user or the app does not have the required permissions to access this resource.",
  );
}

function appOnlyNotSupported(): Answer {
  return graphError(
    403,
    "accessDenied",
    "Application permissions are not supported for this API. Use delegated permissions.",
  );
}

function faultAnswer(fault: Fault): Answer {
  const status = fault.status!;
  const code =
    fault.code ??
    (status === 429
      ? "TooManyRequests"
      : status === 503
        ? "serviceNotAvailable"
        : status === 504
          ? "gatewayTimeout"
          : "generalException");
  const headers: Record<string, string> =
    fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
  return graphError(status, code, `Injected fault ${status}.`, headers);
}

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in source).map((k) => [k, source[k]]));
}

function select<T extends Record<string, unknown>>(item: T, selectParam: string | null): Record<string, unknown> {
  return selectParam ? pick(item, ["id", ...selectParam.split(",")]) : { ...item };
}
