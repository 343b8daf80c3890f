import { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { type GraphUsage } from "../graph/usage";
import { printJobPathHeader } from "../jobs/sharePath";
import { emitGetJobCalled, emitTriggerPolled } from "../telemetry";
import { type CallSubject } from "./trace";

/** The operations whose calls are GetJobCalled events: get-job and the wait for a job, by printer or share. */
const getJobOperations = new Set(["GetPrinterJob", "GetShareJob", "WaitForPrinterJob", "WaitForShareJob"]);
const triggerOperations = new Set(["OnPrintJobFinished", "OnPrinterFailing"]);

/**
 * Who called: Power Platform (a connector action or trigger in Power Automate, Logic Apps or Power Apps) sends
 * its workflow headers or its user agent; anything else is a plain HTTP caller.
 */
export function callerOf(request: HttpRequest): "connector" | "http" {
  const agent = request.headers.get("user-agent") ?? "";
  const flow = request.headers.has("x-ms-workflow-run-id") || request.headers.has("x-ms-workflow-name");
  return flow || /azure-logic-apps|PowerApps|PowerAutomate|PowerPlatform/i.test(agent) ? "connector" : "http";
}

export interface CallFacts {
  operation: string;
  record: CallSubject;
  /** ok, pending or the error code: what the call log line says. */
  outcome: string;
  usage: GraphUsage;
  startedAt: number;
}

/** The named event of an API call, for the operations the workbook charts; other calls have their log line only. */
export function emitCallTelemetry(
  request: HttpRequest,
  context: InvocationContext,
  reply: HttpResponseInit,
  call: CallFacts,
): void {
  const status = reply.status ?? 200;
  const caller = callerOf(request);
  const durationMs = Date.now() - call.startedAt;
  if (getJobOperations.has(call.operation)) {
    const path = new Headers(reply.headers as ConstructorParameters<typeof Headers>[0]).get(printJobPathHeader) ?? "";
    emitGetJobCalled(context, {
      operation: call.operation,
      printerId: call.record.printerId ?? "",
      shareId: call.record.shareId ?? "",
      status,
      outcome: call.outcome,
      path,
      caller,
      graphRequests: call.usage.requests,
      graphThrottled: call.usage.throttled,
      graphLatencyMs: call.usage.latencyMs,
      durationMs,
    });
  } else if (triggerOperations.has(call.operation)) {
    const delivered = (reply.jsonBody as { value?: unknown } | undefined)?.value;
    emitTriggerPolled(context, {
      trigger: call.operation,
      status,
      eventsDelivered: status === 200 && Array.isArray(delivered) ? delivered.length : 0,
      firstPoll: !request.query.has("cursor"),
      caller,
      durationMs,
    });
  }
}
