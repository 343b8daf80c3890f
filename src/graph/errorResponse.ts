import { type PipelineResponse } from "@azure/core-rest-pipeline";
import { GraphError } from "./graphError";

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
