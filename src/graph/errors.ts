import { RestError, type PipelineResponse } from "@azure/core-rest-pipeline";

/**
 * What went wrong with a Graph call, as a caller branches on it.
 * - graph: Graph answered with an error status (see statusCode and code)
 * - throttled: Graph still throttles after the retries, or asked for a longer pause than the caller may wait
 * - timeout: no answer within the time allowed
 * - network: Graph could not be reached, or the connection broke
 * - credential: the managed identity (or developer credential) could not get a token
 * - invalidResponse: Graph's answer could not be read (not JSON, cut short)
 */
export type GraphErrorKind = "graph" | "throttled" | "timeout" | "network" | "credential" | "invalidResponse";

export interface GraphErrorOptions {
  kind: GraphErrorKind;
  statusCode?: number;
  /** Graph's own error code (e.g. itemNotFound, accessDenied), or one of ours for non-Graph failures. */
  code: string;
  requestId?: string;
  retryAfterInMs?: number;
  cause?: unknown;
}

export class GraphError extends RestError {
  override readonly name = "GraphError";
  readonly kind: GraphErrorKind;
  readonly requestId?: string;
  readonly retryAfterInMs?: number;
  override readonly code: string;

  constructor(message: string, options: GraphErrorOptions) {
    super(message, { code: options.code, statusCode: options.statusCode });
    // RestError resets the prototype to its own; restore the subclass's so instanceof works.
    Object.setPrototypeOf(this, new.target.prototype);
    this.kind = options.kind;
    this.code = options.code;
    this.requestId = options.requestId;
    this.retryAfterInMs = options.retryAfterInMs;
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

export function isGraphError(error: unknown): error is GraphError {
  return error instanceof GraphError;
}

/** Graph's request id for a response: the `request-id` header, else the error body's innerError. */
export function requestIdOf(response: PipelineResponse | undefined, body?: unknown): string | undefined {
  const header = response?.headers.get("request-id") ?? response?.headers.get("client-request-id");
  if (header) return header;
  const inner = (body as { error?: { innerError?: Record<string, unknown> } } | undefined)?.error?.innerError;
  const fromBody = inner?.["request-id"];
  return typeof fromBody === "string" ? fromBody : undefined;
}

/** Retry-After (seconds or an HTTP date) in milliseconds, if the response has one. */
export function retryAfterInMs(headers: { get(name: string): string | undefined } | undefined): number | undefined {
  const ms = headers?.get("retry-after-ms") ?? headers?.get("x-ms-retry-after-ms");
  if (ms && /^\d+$/.test(ms)) return Number(ms);
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Turns a Graph error answer into a GraphError carrying status, Graph's code and the request id. */
export function graphErrorFromResponse(response: PipelineResponse, what: string): GraphError {
  let body: unknown;
  try {
    body = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === "string" && error.code !== "" ? error.code : `http${response.status}`;
  const graphMessage = typeof error?.message === "string" ? error.message.slice(0, 500) : "";
  const status = response.status;
  const throttled = status === 429;
  return new GraphError(`Microsoft Graph answered ${status} to ${what}${graphMessage ? `: ${graphMessage}` : "."}`, {
    kind: throttled ? "throttled" : "graph",
    statusCode: status,
    code,
    requestId: requestIdOf(response, body),
    retryAfterInMs: throttled || status === 503 ? retryAfterInMs(response.headers) : undefined,
  });
}
