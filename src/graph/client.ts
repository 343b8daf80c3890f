import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type HttpMethods,
  type Pipeline,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { type TokenCredential } from "@azure/core-auth";
import { GraphError } from "../errors";
import { getInBatches, type BatchAnswer, type BatchRequest, type BatchResponse, type BatchRetryOptions } from "./batch";
import { credentialWithTimeout } from "./credential";
import { graphErrorFromResponse, requestIdOf } from "./errorResponse";
import { pagedGraphList, type PagedGraphList } from "./paging";
import { describePath, odataQuery, printJobPath, resolveGraphUrl, type PrintJobRef } from "./paths";
import { cutBodyAsResetPolicy, cutBodyAsResetPolicyName } from "./policies/cutBodyAsResetPolicy";
import { addBearerTokenPolicies, loopbackHttpAfterSignPolicyName } from "./policies/loopbackHttpPolicy";
import { retryAfterBudgetPolicy, retryAfterBudgetPolicyName } from "./policies/retryAfterBudgetPolicy";
import { tryTimeoutPolicy, tryTimeoutPolicyName } from "./policies/tryTimeoutPolicy";
import { usagePolicy } from "./policies/usagePolicy";
import { graphErrorFromFailure } from "./requestFailure";
import { type GraphPage, type PrintJob, type Printer } from "./types";

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

/**
 * core-rest-pipeline's retry (429/503 Retry-After, exponential backoff on 5xx and network errors) and a bearer
 * token from the shared credential (cached and refreshed by the policy); after signing, our own policies: a per-try
 * timeout, a body cut short retried as a reset, and (for interactive callers) a bound on Retry-After pauses.
 */
function createGraphPipeline(options: GraphClientOptions): Pipeline {
  const tryTimeoutInMs = options.tryTimeoutInMs ?? 10_000;
  const pipeline = createPipelineFromOptions({
    retryOptions: options.retryOptions,
    userAgentOptions: { userAgentPrefix: options.userAgentPrefix ?? "universal-print-jobs" },
    loggingOptions: { additionalAllowedHeaderNames: ["request-id", "client-request-id", "retry-after"] },
  });
  const credential = credentialWithTimeout(options.credential, tryTimeoutInMs);
  addBearerTokenPolicies(pipeline, { credential, scopes: options.scope });
  const afterSign = { phase: "Sign" as const, afterPolicies: [loopbackHttpAfterSignPolicyName] };
  pipeline.addPolicy(tryTimeoutPolicy(tryTimeoutInMs), afterSign);
  pipeline.addPolicy(cutBodyAsResetPolicy(), afterSign);
  if (options.maxRetryAfterInMs !== undefined) {
    pipeline.addPolicy(retryAfterBudgetPolicy(options.maxRetryAfterInMs), afterSign);
  }
  // Last, nearest the wire: every try is counted on the work that sent it, with the status Graph gave.
  const ours = [tryTimeoutPolicyName, cutBodyAsResetPolicyName];
  if (options.maxRetryAfterInMs !== undefined) ours.push(retryAfterBudgetPolicyName);
  pipeline.addPolicy(usagePolicy(), { phase: "Sign", afterPolicies: [loopbackHttpAfterSignPolicyName, ...ours] });
  return pipeline;
}

/** The app's one way to talk to Microsoft Graph: the pipeline above, typed errors, paging and JSON batching. */
export class GraphClient {
  readonly baseUrl: string;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly batchRetry: BatchRetryOptions;

  constructor(options: GraphClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.httpClient = options.httpClient ?? createDefaultHttpClient();
    this.pipeline = createGraphPipeline(options);
    this.batchRetry = {
      maxRetries: options.retryOptions?.maxRetries ?? 3,
      retryDelayInMs: options.retryOptions?.retryDelayInMs ?? 1000,
      maxRetryDelayInMs: options.retryOptions?.maxRetryDelayInMs ?? 64_000,
      maxRetryAfterInMs: options.maxRetryAfterInMs,
    };
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
      url: resolveGraphUrl(this.baseUrl, pathOrUrl),
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
      throw graphErrorFromFailure(error, what, options.abortSignal);
    }
    if (response.status < 200 || response.status > 299) throw graphErrorFromResponse(response, what);
    return parseJsonResponse<T>(response, what);
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
  listPrinterJobs(printerId: string, options: ListPrintJobsOptions = {}): PagedGraphList<PrintJob> {
    const first = `/print/printers/${encodeURIComponent(printerId)}/jobs${odataQuery({ $select: options.select, $expand: options.expand })}`;
    return this.list<PrintJob>(first, options);
  }

  /** Every printer of the tenant. Graph documents this as unsupported for app-only tokens: expect 403 there. */
  listPrinters(options: RequestOptions & { select?: readonly string[] } = {}): PagedGraphList<Printer> {
    return this.list<Printer>(`/print/printers${odataQuery({ $select: options.select })}`, options);
  }

  /** A lazy list over any Graph collection. */
  list<T>(firstPath: string, options: RequestOptions = {}): PagedGraphList<T> {
    return pagedGraphList<T>(
      firstPath,
      async (pathOrUrl) => (await this.requestJson<GraphPage<T>>("GET", pathOrUrl, undefined, options)).body,
    );
  }

  /** GET requests in JSON batches of at most 20, each sub-request retried on its own (see getInBatches). */
  async batch<T = unknown>(
    requests: readonly BatchRequest[],
    options: RequestOptions = {},
  ): Promise<BatchResponse<T>[]> {
    const post = async (body: unknown): Promise<BatchAnswer<T> | undefined> =>
      (await this.requestJson<BatchAnswer<T> | undefined>("POST", "/$batch", body, options)).body;
    return getInBatches(requests, post, this.batchRetry, options.abortSignal);
  }
}

/** A 2xx answer's JSON body (undefined when it has none); anything else Graph sent is an invalidJson GraphError. */
function parseJsonResponse<T>(response: PipelineResponse, what: string): GraphResponse<T> {
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
