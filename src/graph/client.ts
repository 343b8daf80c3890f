import {
  bearerTokenAuthenticationPolicy,
  bearerTokenAuthenticationPolicyName,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  isRestError,
  RestError,
  type HttpClient,
  type HttpMethods,
  type Pipeline,
  type PipelinePolicy,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { type TokenCredential } from "@azure/core-auth";
import { isLoopbackHost } from "../validation";
import { graphErrorFromResponse, requestIdOf, retryAfterInMs } from "./errorResponse";
import { type GraphPage, type PrintJob, type Printer } from "./types";
import { GraphError, RetryAfterTooLongError } from "../errors";

export interface GraphClientOptions {
  /** Graph base with the version, e.g. https://graph.microsoft.com/v1.0 */
  baseUrl: string;
  /** Token scope, e.g. https://graph.microsoft.com/.default */
  scope: string;
  credential: TokenCredential;
  /** Transport; the default is Node's http(s) with keep-alive. */
  httpClient?: HttpClient;
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  /** Each try gives up after this long; the retry policy then tries again. */
  tryTimeoutInMs?: number;
  /**
   * When Graph asks for a pause (429/503 Retry-After) longer than this, give up at once with a
   * `throttled` GraphError carrying the Retry-After, instead of waiting. Unset: wait as long as Graph asks.
   */
  maxRetryAfterInMs?: number;
  userAgentPrefix?: string;
}

export interface RequestOptions {
  abortSignal?: AbortSignal;
}

export interface GraphResponse<T> {
  body: T;
  status: number;
  requestId?: string;
}

/** Reference to one print job, through its printer or through a printer share. */
export type PrintJobRef =
  { printerId: string; jobId: string; shareId?: undefined } | { shareId: string; jobId: string; printerId?: undefined };

export type PrintJobExpansion = "tasks" | "documents";

export interface GetPrintJobOptions extends RequestOptions {
  select?: readonly string[];
  expand?: readonly PrintJobExpansion[];
}

export interface ListPrintJobsOptions extends RequestOptions {
  /** Only `documents` is documented for the list. */
  expand?: readonly "documents"[];
  select?: readonly string[];
}

export interface BatchRequest {
  /** Unique within one call. */
  id: string;
  /** Path relative to the Graph base, e.g. /print/printers/{id}/jobs/{id}?$expand=tasks */
  url: string;
}

export interface BatchResponse<T = unknown> {
  id: string;
  status: number;
  body?: T;
  headers?: Record<string, string>;
}

/** A lazy, page-by-page list, shaped like the Azure SDKs' PagedAsyncIterableIterator. */
export interface PagedAsyncIterableIterator<T, TPage = T[]> extends AsyncIterableIterator<T> {
  byPage(settings?: { continuationToken?: string }): AsyncIterableIterator<TPage & { continuationToken?: string }>;
}

/** Graph allows at most 20 requests in one JSON batch. */
export const maxBatchSize = 20;

function isLoopbackHttp(url: URL): boolean {
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

const loopbackMark = "x-upj-loopback-http";

/**
 * The bearer policy refuses plain-http URLs. The only plain-http Graph the settings allow is a loopback one
 * (the offline simulator), so that one is presented to the bearer policy as https and sent as http.
 */
export const loopbackHttpPolicies: PipelinePolicy[] = [
  {
    name: "loopbackHttpBeforeSign",
    sendRequest(request, next) {
      if (isLoopbackHttp(new URL(request.url))) {
        request.url = "https" + request.url.slice("http".length);
        request.headers.set(loopbackMark, "1");
      }
      return next(request);
    },
  },
  {
    name: "loopbackHttpAfterSign",
    sendRequest(request, next) {
      if (request.headers.get(loopbackMark)) {
        request.headers.delete(loopbackMark);
        request.url = "http" + request.url.slice("https".length);
        request.allowInsecureConnection = true;
      }
      return next(request);
    },
  },
];

/** Per-try timeout that the retry policy treats as a retriable network error (it would not retry an abort). */
function tryTimeoutPolicy(tryTimeoutInMs: number): PipelinePolicy {
  return {
    name: "graphTryTimeout",
    async sendRequest(request, next) {
      const callerSignal = request.abortSignal;
      const controller = new AbortController();
      const onAbort = (): void => controller.abort();
      callerSignal?.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(() => controller.abort(), tryTimeoutInMs);
      request.abortSignal = controller.signal;
      try {
        return await next(request);
      } catch (error) {
        if (controller.signal.aborted && !callerSignal?.aborted) {
          throw new RestError(`Microsoft Graph did not answer within ${tryTimeoutInMs} ms.`, {
            code: "ETIMEDOUT",
            request,
          });
        }
        throw error;
      } finally {
        clearTimeout(timer);
        callerSignal?.removeEventListener("abort", onAbort);
        request.abortSignal = callerSignal;
      }
    },
  };
}

/**
 * A connection cut while the body is read surfaces as PARSE_ERROR, which the retry policy does not retry;
 * for Graph's GETs it is the same transport failure as a reset, so it is retried like one.
 */
const cutBodyPolicy: PipelinePolicy = {
  name: "graphCutBodyIsReset",
  async sendRequest(request, next) {
    try {
      return await next(request);
    } catch (error) {
      if (isRestError(error) && error.code === RestError.PARSE_ERROR && !request.abortSignal?.aborted) {
        throw new RestError(`The connection to Microsoft Graph broke while its answer was read (${error.message}).`, {
          code: "ECONNRESET",
          request,
        });
      }
      throw error;
    }
  },
};

/**
 * The token request gets the same per-try bound as a Graph request: a managed-identity endpoint that does
 * not answer becomes a `credential` failure the caller can act on, not a wait until the HTTP deadline.
 */
function credentialWithTimeout(credential: TokenCredential, timeoutInMs: number): TokenCredential {
  return {
    async getToken(scopes, options) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new GraphError(
                `The app's identity did not hand out a token for Microsoft Graph within ${timeoutInMs} ms.`,
                {
                  kind: "credential",
                  code: "credentialTimeout",
                },
              ),
            ),
          timeoutInMs,
        );
      });
      try {
        return await Promise.race([credential.getToken(scopes, options), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function retryAfterBudgetPolicy(maxRetryAfterInMs: number): PipelinePolicy {
  return {
    name: "graphRetryAfterBudget",
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 429 || response.status === 503) {
        const wait = retryAfterInMs(response.headers);
        if (wait !== undefined && wait > maxRetryAfterInMs) throw new RetryAfterTooLongError(response);
      }
      return response;
    },
  };
}

function isCredentialError(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? "";
  return (
    name === "CredentialUnavailableError" || name === "AuthenticationError" || name === "AggregateAuthenticationError"
  );
}

/**
 * The app's one way to talk to Microsoft Graph: core-rest-pipeline's retry (429/503 Retry-After,
 * exponential backoff on 5xx and network errors), a bearer token from the shared credential (cached and
 * refreshed by the policy), a per-try timeout, typed errors, paging and JSON batching.
 */
export class GraphClient {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly maxRetries: number;

  constructor(private readonly options: GraphClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.origin = new URL(this.baseUrl).origin;
    this.httpClient = options.httpClient ?? createDefaultHttpClient();
    this.maxRetries = options.retryOptions?.maxRetries ?? 3;
    this.pipeline = createPipelineFromOptions({
      retryOptions: options.retryOptions,
      userAgentOptions: { userAgentPrefix: options.userAgentPrefix ?? "universal-print-jobs" },
      loggingOptions: { additionalAllowedHeaderNames: ["request-id", "client-request-id", "retry-after"] },
    });
    const credential = credentialWithTimeout(options.credential, options.tryTimeoutInMs ?? 10_000);
    this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: options.scope }), {
      phase: "Sign",
    });
    const [beforeSign, afterSign] = loopbackHttpPolicies;
    this.pipeline.addPolicy(beforeSign!, { phase: "Sign", beforePolicies: [bearerTokenAuthenticationPolicyName] });
    this.pipeline.addPolicy(afterSign!, { phase: "Sign", afterPolicies: [bearerTokenAuthenticationPolicyName] });
    this.pipeline.addPolicy(tryTimeoutPolicy(options.tryTimeoutInMs ?? 10_000), {
      phase: "Sign",
      afterPolicies: [afterSign!.name],
    });
    this.pipeline.addPolicy(cutBodyPolicy, { phase: "Sign", afterPolicies: [afterSign!.name] });
    if (options.maxRetryAfterInMs !== undefined) {
      this.pipeline.addPolicy(retryAfterBudgetPolicy(options.maxRetryAfterInMs), {
        phase: "Sign",
        afterPolicies: [afterSign!.name],
      });
    }
  }

  /** A URL on this Graph from a path relative to the base (a nextLink is taken verbatim, but only on the same host). */
  private resolve(pathOrUrl: string): string {
    if (/^https?:\/\//i.test(pathOrUrl)) {
      const url = new URL(pathOrUrl);
      // A nextLink must never carry our token to another host.
      if (url.origin !== this.origin && !(isLoopbackHttp(url) && url.host === new URL(this.origin).host)) {
        throw new GraphError(`Microsoft Graph returned a link to another host (${url.host}); it was not followed.`, {
          kind: "invalidResponse",
          code: "foreignLink",
        });
      }
      return url.toString();
    }
    return `${this.baseUrl}${pathOrUrl.startsWith("/") ? "" : "/"}${pathOrUrl}`;
  }

  /** Sends one request through the pipeline and returns the parsed JSON body; any non-2xx becomes a GraphError. */
  async requestJson<T>(
    method: HttpMethods,
    pathOrUrl: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<GraphResponse<T>> {
    const what = `${method} ${describePath(pathOrUrl)}`;
    const request = createPipelineRequest({
      url: this.resolve(pathOrUrl),
      method,
      headers: createHttpHeaders({
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      }),
      body: body === undefined ? undefined : JSON.stringify(body),
      abortSignal: options.abortSignal,
    });
    let response: PipelineResponse;
    try {
      response = await this.pipeline.sendRequest(this.httpClient, request);
    } catch (error) {
      throw this.toGraphError(error, what, options.abortSignal);
    }
    if (response.status < 200 || response.status > 299) throw graphErrorFromResponse(response, what);
    const requestId = requestIdOf(response);
    if (response.status === 204 || !response.bodyAsText)
      return { body: undefined as T, status: response.status, requestId };
    try {
      return { body: JSON.parse(response.bodyAsText) as T, status: response.status, requestId };
    } catch {
      throw new GraphError(
        `Microsoft Graph's answer to ${what} was not valid JSON (${response.bodyAsText.length} characters).`,
        {
          kind: "invalidResponse",
          statusCode: 502,
          code: "invalidJson",
          requestId,
        },
      );
    }
  }

  private toGraphError(error: unknown, what: string, abortSignal?: AbortSignal): GraphError {
    if (error instanceof GraphError) return error;
    if (error instanceof RetryAfterTooLongError) return graphErrorFromResponse(error.response, what);
    if (abortSignal?.aborted || (error as { name?: string })?.name === "AbortError") {
      return new GraphError(`Microsoft Graph did not answer ${what} in the time allowed.`, {
        kind: "timeout",
        code: "timeout",
        cause: error,
      });
    }
    if (isCredentialError(error)) {
      return new GraphError(
        `The app's identity could not get a token for Microsoft Graph (${(error as Error).name}). ` +
          "Check that the function app's managed identity is enabled (and AZURE_CLIENT_ID, if set, names a user-assigned identity of the app).",
        { kind: "credential", code: "credentialUnavailable", cause: error },
      );
    }
    if (isRestError(error)) {
      if (error.code === "ETIMEDOUT") {
        return new GraphError(`Microsoft Graph did not answer ${what} in time, after retries.`, {
          kind: "timeout",
          code: "timeout",
          cause: error,
        });
      }
      return new GraphError(
        `Microsoft Graph could not be reached for ${what} (${error.code ?? "network error"}), after retries.`,
        {
          kind: "network",
          code: error.code ?? "networkError",
          cause: error,
        },
      );
    }
    return new GraphError(`Calling Microsoft Graph failed for ${what}: ${(error as Error)?.message ?? String(error)}`, {
      kind: "network",
      code: "requestFailed",
      cause: error,
    });
  }

  /** GET one print job, through its printer or its share. Ids are path-encoded here; callers validate them first. */
  async getPrintJob(ref: PrintJobRef, options: GetPrintJobOptions = {}): Promise<GraphResponse<PrintJob>> {
    const query = odataQuery({ $select: options.select, $expand: options.expand });
    const response = await this.requestJson<PrintJob>("GET", `${printJobPath(ref)}${query}`, undefined, options);
    // Anything but a JSON object (empty, null, an array, a bare value) is not a job, whatever the status says.
    if (typeof response.body !== "object" || response.body === null || Array.isArray(response.body)) {
      throw new GraphError(
        `Microsoft Graph answered ${response.status} to GET ${printJobPath(ref)} without a job object.`,
        {
          kind: "invalidResponse",
          statusCode: 502,
          code: "invalidJob",
          requestId: response.requestId,
        },
      );
    }
    return response;
  }

  /** GET a printer (allowed app-only with Printer.Read.All). */
  async getPrinter(
    printerId: string,
    options: RequestOptions & { select?: readonly string[] } = {},
  ): Promise<GraphResponse<Printer>> {
    const query = odataQuery({ $select: options.select });
    return this.requestJson<Printer>(
      "GET",
      `/print/printers/${encodeURIComponent(printerId)}${query}`,
      undefined,
      options,
    );
  }

  /** The printer behind a printer share (GET /print/shares/{id}/printer, allowed app-only with Printer.Read.All). */
  async getSharePrinter(shareId: string, options: RequestOptions = {}): Promise<GraphResponse<Printer>> {
    return this.requestJson<Printer>(
      "GET",
      `/print/shares/${encodeURIComponent(shareId)}/printer?$select=id`,
      undefined,
      options,
    );
  }

  /** Every job of a printer, page by page over @odata.nextLink. */
  listPrinterJobs(printerId: string, options: ListPrintJobsOptions = {}): PagedAsyncIterableIterator<PrintJob> {
    const first = `/print/printers/${encodeURIComponent(printerId)}/jobs${odataQuery({ $select: options.select, $expand: options.expand })}`;
    return this.list<PrintJob>(first, options);
  }

  /** Every printer of the tenant. Graph documents this as unsupported for app-only tokens: expect 403 there. */
  listPrinters(options: RequestOptions & { select?: readonly string[] } = {}): PagedAsyncIterableIterator<Printer> {
    return this.list<Printer>(`/print/printers${odataQuery({ $select: options.select })}`, options);
  }

  /** A lazy list over any Graph collection. */
  list<T>(firstPath: string, options: RequestOptions = {}): PagedAsyncIterableIterator<T> {
    const pages = async function* (
      this: GraphClient,
      continuationToken?: string,
    ): AsyncIterableIterator<T[] & { continuationToken?: string }> {
      let next: string | undefined = continuationToken ?? firstPath;
      while (next) {
        const response: GraphResponse<GraphPage<T>> = await this.requestJson<GraphPage<T>>(
          "GET",
          next,
          undefined,
          options,
        );
        const body = response.body;
        if (!body || !Array.isArray(body.value)) {
          throw new GraphError(`Microsoft Graph's page for ${describePath(next)} has no "value" array.`, {
            kind: "invalidResponse",
            code: "invalidPage",
          });
        }
        next = body["@odata.nextLink"];
        const page = body.value as T[] & { continuationToken?: string };
        page.continuationToken = next;
        yield page;
      }
    }.bind(this);
    const items = async function* (): AsyncIterableIterator<T> {
      for await (const page of pages()) yield* page;
    };
    const iterator = items();
    return {
      next: () => iterator.next(),
      [Symbol.asyncIterator]() {
        return this;
      },
      byPage: (settings = {}) => pages(settings.continuationToken),
    };
  }

  /**
   * Sends GET requests in JSON batches of at most 20. Graph throttles each sub-request on its own, so a
   * sub-request answered 429/503 (after its Retry-After) or another retriable 5xx/408 (after the pipeline's
   * backoff) is sent again, up to the client's retry count; what still fails is returned with its status.
   */
  async batch<T = unknown>(
    requests: readonly BatchRequest[],
    options: RequestOptions = {},
  ): Promise<BatchResponse<T>[]> {
    const results = new Map<string, BatchResponse<T>>();
    for (let start = 0; start < requests.length; start += maxBatchSize) {
      let pending = requests.slice(start, start + maxBatchSize);
      for (let attempt = 0; pending.length > 0; attempt++) {
        const { body } = await this.requestJson<{ responses?: BatchResponse<T>[] }>(
          "POST",
          "/$batch",
          { requests: pending.map((r) => ({ id: r.id, method: "GET", url: r.url })) },
          options,
        );
        const byId = new Map((body?.responses ?? []).map((r) => [String(r.id), r]));
        const retry: BatchRequest[] = [];
        let wait = 0;
        for (const request of pending) {
          const response = byId.get(request.id) ?? { id: request.id, status: 502, body: undefined };
          results.set(request.id, response);
          if (attempt < this.maxRetries && isRetriableStatus(response.status)) {
            retry.push(request);
            wait = Math.max(wait, this.subRequestDelay(response, attempt));
          }
        }
        // A pause longer than this client may wait: hand back the throttled answers as they are.
        if (retry.length > 0 && this.options.maxRetryAfterInMs !== undefined && wait > this.options.maxRetryAfterInMs)
          break;
        if (retry.length > 0) await sleep(wait, options.abortSignal);
        pending = retry;
      }
    }
    return requests.map((r) => results.get(r.id)!);
  }

  /** How long to wait before sending a batch sub-request again: its Retry-After, else the pipeline's backoff. */
  private subRequestDelay(response: BatchResponse, attempt: number): number {
    const headers = lowerCaseHeaders(response.headers);
    const retryAfter =
      response.status === 429 || response.status === 503 ? retryAfterInMs({ get: (n) => headers[n] }) : undefined;
    const base = this.options.retryOptions?.retryDelayInMs ?? 1000;
    const cap = this.options.retryOptions?.maxRetryDelayInMs ?? 64_000;
    return retryAfter ?? Math.min(cap, base * 2 ** attempt);
  }
}

/** The statuses core-rest-pipeline retries for a whole request, applied to each batch sub-request. */
function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

function lowerCaseHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

function sleep(ms: number, abortSignal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted)
      return reject(new GraphError("Waiting for Microsoft Graph was cancelled.", { kind: "timeout", code: "timeout" }));
    const timer = setTimeout(() => {
      abortSignal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new GraphError("Waiting for Microsoft Graph was cancelled.", { kind: "timeout", code: "timeout" }));
    };
    abortSignal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The Graph path of one job; every segment is encoded, so an id can never leave its segment. */
export function printJobPath(ref: PrintJobRef): string {
  const parent =
    ref.printerId !== undefined
      ? `printers/${encodeURIComponent(ref.printerId)}`
      : `shares/${encodeURIComponent(ref.shareId)}`;
  return `/print/${parent}/jobs/${encodeURIComponent(ref.jobId)}`;
}

/** An OData query string from the options that are set ("" when none). */
export function odataQuery(options: Record<string, readonly string[] | string | undefined>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const text = Array.isArray(value) ? value.join(",") : (value as string);
    parts.push(`${name}=${encodeURIComponent(text).replace(/%2C/g, ",")}`);
  }
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}

/** A path without its query, for messages (a query could carry a user's name in a filter). */
function describePath(pathOrUrl: string): string {
  const path = /^https?:\/\//i.test(pathOrUrl) ? new URL(pathOrUrl).pathname : pathOrUrl;
  return path.split("?")[0]!;
}
