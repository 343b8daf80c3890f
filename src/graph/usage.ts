import { AsyncLocalStorage } from "node:async_hooks";

/** What one unit of work (a printer's run, an API call) asked of Graph: the figures its telemetry reports. */
export interface GraphUsage {
  /** HTTP requests sent to Graph, each retry and each $batch POST counted once. */
  requests: number;
  /** Answers that asked the app to slow down: 429, or 503 with a Retry-After; $batch sub-requests included. */
  throttled: number;
  /** Answers 403 (Graph refused the app's token). */
  forbidden: number;
  /** Time spent waiting for Graph's answers, summed over the requests. */
  latencyMs: number;
  /** The slowest single request. */
  maxLatencyMs: number;
}

const current = new AsyncLocalStorage<GraphUsage>();

export function newGraphUsage(): GraphUsage {
  return { requests: 0, throttled: 0, forbidden: 0, latencyMs: 0, maxLatencyMs: 0 };
}

/** Runs `work` with every Graph request it makes (however deep) counted on `usage`, which stays readable if it throws. */
export function withGraphUsage<T>(usage: GraphUsage, work: () => Promise<T>): Promise<T> {
  return current.run(usage, work);
}

/** One Graph answer (or failure, status 0) as the pipeline saw it, counted on the work it belongs to, if any. */
export function noteGraphRequest(status: number, latencyMs: number, retryAfter: boolean): void {
  const usage = current.getStore();
  if (!usage) return;
  usage.requests++;
  usage.latencyMs += latencyMs;
  usage.maxLatencyMs = Math.max(usage.maxLatencyMs, latencyMs);
  if (status === 429 || (status === 503 && retryAfter)) usage.throttled++;
  if (status === 403) usage.forbidden++;
}

/** A $batch sub-request Graph throttled on its own inside a 200 answer. */
export function noteThrottledSubRequest(): void {
  const usage = current.getStore();
  if (usage) usage.throttled++;
}
