/** Faults injected into the simulator's answers: statuses with Retry-After, delays, dropped or cut connections. */
import { graphError, type Answer } from "./answers";

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

/** The first fault that matches the request and has hits left; counts the hit. */
export function takeFault(faults: Fault[], method: string, path: string, inBatch: boolean): Fault | undefined {
  for (const fault of faults) {
    if (fault.times !== undefined && fault.times <= 0) continue;
    if (fault.method && fault.method !== method) continue;
    if (fault.path && !fault.path.test(path)) continue;
    if (fault.inBatch !== undefined && fault.inBatch !== inBatch) continue;
    if (fault.times !== undefined) fault.times--;
    return fault;
  }
  return undefined;
}

/** A status fault's answer, with the error code Graph sends for that status. */
export function faultAnswer(fault: Fault): Answer {
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
