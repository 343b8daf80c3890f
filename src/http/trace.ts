import { type HttpResponseInit, type InvocationContext } from "@azure/functions";

/**
 * One log line per HTTP call, in a fixed `key=value` shape that Application Insights keeps in
 * traces.message and KQL reads with `parse-kv` (see README, "Find one call"). Ids and outcomes only:
 * no user names, document names, tokens or keys.
 */
export interface CallRecord {
  /** The OpenAPI operationId, e.g. GetPrinterJob. */
  operation: string;
  printerId?: string;
  shareId?: string;
  jobId?: string;
  status: number;
  /** ok, pending, or the error code of the answer (notFound, completionTimeout, …). */
  outcome: string;
  /** The job's state as last read from Graph, when there is one. */
  state?: string;
  graphRequestId?: string;
  durationMs: number;
}

const fieldOrder: (keyof CallRecord)[] = [
  "operation",
  "printerId",
  "shareId",
  "jobId",
  "status",
  "outcome",
  "state",
  "graphRequestId",
  "durationMs",
];

// A value can come from Graph; keep the line one token per field whatever it holds.
function token(value: unknown): string {
  return String(value)
    .replace(/[^A-Za-z0-9._:@-]/g, "_")
    .slice(0, 100);
}

export function formatCallRecord(requestId: string, record: CallRecord): string {
  const fields = [`requestId=${token(requestId)}`];
  for (const name of fieldOrder) {
    const value = record[name];
    if (value !== undefined && value !== "") fields.push(`${name}=${token(value)}`);
  }
  return `httpCall ${fields.join(" ")}`;
}

/** The call's identity as far as it is known: filled in as the handler validates input and reads Graph. */
export type CallSubject = Omit<CallRecord, "status" | "outcome" | "durationMs">;

/** ok, pending (202), the answer's error code, or httpNNN: the outcome of a call as its log line and telemetry say. */
export function callOutcome(reply: HttpResponseInit): string {
  const code = (reply.jsonBody as { error?: { code?: unknown } } | undefined)?.error?.code;
  const status = reply.status ?? 200;
  return typeof code === "string" ? code : status === 202 ? "pending" : status < 400 ? "ok" : `http${status}`;
}

/** Logs the answer a handler is about to give, with its status, outcome and duration. */
export function logCall(
  context: InvocationContext,
  subject: CallSubject,
  reply: HttpResponseInit,
  startedAt: number,
): HttpResponseInit {
  const error = (reply.jsonBody as { error?: { code?: unknown; graphRequestId?: unknown } } | undefined)?.error;
  const status = reply.status ?? 200;
  const record: CallRecord = {
    ...subject,
    status,
    outcome: callOutcome(reply),
    graphRequestId:
      subject.graphRequestId ?? (typeof error?.graphRequestId === "string" ? error.graphRequestId : undefined),
    durationMs: Date.now() - startedAt,
  };
  const line = formatCallRecord(context.invocationId, record);
  if (status >= 500) context.warn(line);
  else context.info(line);
  return reply;
}
