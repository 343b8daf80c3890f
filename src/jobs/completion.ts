import { type PrintJobExpansion } from "../graph/client";
import { type PrintJobRef } from "../graph/paths";
import { InputError } from "../errors";
import { assertQueryAllowed, isCalendarInstant, maxDurationInMs, parseDuration, shown, single } from "../validation";
import { parseExpand, parsePrintJobRef } from "./request";

/**
 * Waiting for a print job to finish, the asynchronous request-reply way: the caller polls the Location it
 * is given until the job is terminal or the deadline passes. Stateless between polls: the deadline travels
 * in the Location's query.
 */

export const defaultTimeout = "PT1H";
/** A deadline may sit this far past now + 24 h, for clocks that disagree a little. */
const clockSkewInMs = 5 * 60 * 1000;
/** Power Automate polls about every 20 s on its own; asking for 15 s keeps a flow responsive without hammering Graph. */
export const pollIntervalInSeconds = 15;

/** The query options a wait takes (besides `code`, the function key). */
const completionOptions = ["timeout", "deadline", "$expand"];

export interface CompletionRequest {
  ref: PrintJobRef;
  expand?: PrintJobExpansion[];
  /** The timeout as the caller wrote it (echoed in the Location), e.g. PT1H. */
  timeout: string;
  timeoutInMs: number;
  deadline: Date;
}

const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z$/;

/** The deadline of a Location the app handed out: a UTC instant no further than 24 h from now. */
export function parseDeadline(raw: string, now: Date): Date {
  const time = instantPattern.test(raw) && isCalendarInstant(raw) ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(time)) {
    throw new InputError(
      "deadline",
      `deadline must be a UTC time such as 2025-03-01T12:00:00Z, as given in the Location header; got ${shown(raw)}.`,
    );
  }
  if (time > now.getTime() + maxDurationInMs + clockSkewInMs) {
    throw new InputError(
      "deadline",
      "deadline lies more than 24 hours ahead; start the wait again without a deadline.",
    );
  }
  return new Date(time);
}

/** Validates a wait request completely before anything is sent to Graph. */
export function parseCompletionRequest(
  parent: "printer" | "share",
  params: Readonly<Record<string, string | undefined>>,
  query: URLSearchParams,
  now: Date,
): CompletionRequest {
  const ref = parsePrintJobRef(parent, params);
  assertQueryAllowed(query, completionOptions);
  const timeout = single(query, "timeout") ?? defaultTimeout;
  const timeoutInMs = parseDuration(timeout, "timeout");
  const rawDeadline = single(query, "deadline");
  const deadline = rawDeadline !== undefined ? parseDeadline(rawDeadline, now) : new Date(now.getTime() + timeoutInMs);
  return {
    ref,
    expand: parseExpand(single(query, "$expand")),
    timeout: timeout.trim().toUpperCase(),
    timeoutInMs,
    deadline,
  };
}

/** The Location to poll next: the same wait, carrying its deadline. Never the function key (the caller re-sends its header). */
export function completionLocation(apiBaseUrl: string, request: CompletionRequest): string {
  const { ref } = request;
  const parentPath = ref.printerId !== undefined ? `printers/${ref.printerId}` : `shares/${ref.shareId}`;
  const query = new URLSearchParams({ timeout: request.timeout, deadline: request.deadline.toISOString() });
  if (request.expand?.length) query.set("$expand", request.expand.join(","));
  return `${apiBaseUrl}/${parentPath}/jobs/${encodeURIComponent(ref.jobId)}/completion?${query.toString()}`;
}

/** Seconds the caller should wait before the next poll: the usual interval, but not past the deadline. */
export function nextPollInSeconds(deadline: Date, now: Date): number {
  const untilDeadline = Math.ceil((deadline.getTime() - now.getTime()) / 1000);
  return Math.max(1, Math.min(pollIntervalInSeconds, untilDeadline));
}
