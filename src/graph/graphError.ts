import { RestError } from "@azure/core-rest-pipeline";

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

/** A Graph call failed: a RestError with Graph's code, the kind of failure and Graph's request id. */
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
