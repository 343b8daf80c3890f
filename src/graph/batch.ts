import { GraphError } from "../errors";
import { retryAfterInMs } from "./errorResponse";
import { noteThrottledSubRequest } from "./usage";

/** Graph allows at most 20 requests in one JSON batch. */
export const maxBatchSize = 20;

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

/** How batch sub-requests are retried: the client's own retry settings, applied to each one. */
export interface BatchRetryOptions {
  maxRetries: number;
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
  /** A longer Retry-After than this hands the throttled answers back instead of waiting. */
  maxRetryAfterInMs?: number;
}

/** The JSON batch Graph takes at /$batch, and its answer (responses in any order). */
export interface BatchBody {
  requests: { id: string; method: "GET"; url: string }[];
}
export interface BatchAnswer<T> {
  responses?: BatchResponse<T>[];
}

/** POSTs one JSON batch to /$batch. */
export type PostBatch<T> = (body: BatchBody) => Promise<BatchAnswer<T> | undefined>;

/**
 * Sends GET requests in JSON batches of at most 20. Graph throttles each sub-request on its own, so a
 * sub-request answered 429/503 (after its Retry-After) or another retriable 5xx/408 (after the pipeline's
 * backoff) is sent again, up to the client's retry count; what still fails is returned with its status.
 */
export async function getInBatches<T>(
  requests: readonly BatchRequest[],
  post: PostBatch<T>,
  retry: BatchRetryOptions,
  abortSignal?: AbortSignal,
): Promise<BatchResponse<T>[]> {
  const results = new Map<string, BatchResponse<T>>();
  for (let start = 0; start < requests.length; start += maxBatchSize) {
    let pending = requests.slice(start, start + maxBatchSize);
    for (let attempt = 0; pending.length > 0; attempt++) {
      const answer = await post({ requests: pending.map((r) => ({ id: r.id, method: "GET", url: r.url })) });
      const byId = new Map((answer?.responses ?? []).map((r) => [String(r.id), r]));
      const again: BatchRequest[] = [];
      let wait = 0;
      for (const request of pending) {
        const response = byId.get(request.id) ?? { id: request.id, status: 502, body: undefined };
        results.set(request.id, response);
        if (response.status === 429) noteThrottledSubRequest();
        if (attempt < retry.maxRetries && isRetriableStatus(response.status)) {
          again.push(request);
          wait = Math.max(wait, subRequestDelay(response, attempt, retry));
        }
      }
      // A pause longer than this client may wait: hand back the throttled answers as they are.
      if (again.length > 0 && retry.maxRetryAfterInMs !== undefined && wait > retry.maxRetryAfterInMs) break;
      if (again.length > 0) await sleep(wait, abortSignal);
      pending = again;
    }
  }
  return requests.map((r) => results.get(r.id)!);
}

/** The statuses core-rest-pipeline retries for a whole request, applied to each batch sub-request. */
function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** How long to wait before sending a batch sub-request again: its Retry-After, else the pipeline's backoff. */
function subRequestDelay(response: BatchResponse, attempt: number, retry: BatchRetryOptions): number {
  const headers = lowerCaseHeaders(response.headers);
  const retryAfter =
    response.status === 429 || response.status === 503 ? retryAfterInMs({ get: (n) => headers[n] }) : undefined;
  return retryAfter ?? Math.min(retry.maxRetryDelayInMs, retry.retryDelayInMs * 2 ** attempt);
}

function lowerCaseHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

function sleep(ms: number, abortSignal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) return reject(cancelledError());
    const timer = setTimeout(() => {
      abortSignal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    abortSignal?.addEventListener("abort", onAbort, { once: true });
  });
}

function cancelledError(): GraphError {
  return new GraphError("Waiting for Microsoft Graph was cancelled.", { kind: "timeout", code: "timeout" });
}
