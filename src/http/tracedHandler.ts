import { type HttpHandler, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { newGraphUsage, withGraphUsage } from "../graph/usage";
import { emitCallTelemetry } from "./callTelemetry";
import { replyToError } from "./replies";
import { callOutcome, logCall, type CallSubject } from "./trace";

/** What a handler tells the wrapper about its call as it learns it. */
export interface TracedCall {
  /** The call log line's ids and state, filled in as the handler validates input and reads Graph. */
  readonly record: CallSubject;
  /** The thing asked for, as an error answer names it: "the audit events", "job 5182 on printer …". */
  subject: string;
  /** When the call began (epoch ms): the log line's duration, and any budget of the handler's own. */
  readonly startedAt: number;
}

/** A route's own logic: the answer it gives; whatever it throws is answered by the wrapper. */
export type TracedHttpHandler = (
  request: HttpRequest,
  context: InvocationContext,
  call: TracedCall,
) => Promise<HttpResponseInit>;

export interface TraceOptions {
  /** The OpenAPI operationId, e.g. GetPrinterJob: the log line's operation. */
  operation: string;
  /** What error answers call the thing asked for until the handler knows more. */
  subject: string;
  /** How a thrown error becomes an answer: replyToError, or auditReplyToError on the audit's routes. */
  replyToError?: (context: InvocationContext, error: unknown, subject: string) => HttpResponseInit;
}

/**
 * The one frame of every API route (not the viewer's page, which serves a file): times the call, turns a
 * thrown error into its JSON answer, logs the call log line (trace.ts) with the answer's status and outcome, and
 * sends the call's named event (callTelemetry.ts) with what it asked of Graph.
 */
export function traced(handle: TracedHttpHandler, options: TraceOptions): HttpHandler {
  const failureReply = options.replyToError ?? replyToError;
  return async (request, context) => {
    const call: TracedCall = {
      record: { operation: options.operation },
      subject: options.subject,
      startedAt: Date.now(),
    };
    const usage = newGraphUsage();
    let reply: HttpResponseInit;
    try {
      reply = await withGraphUsage(usage, () => handle(request, context, call));
    } catch (error) {
      reply = failureReply(context, error, call.subject);
    }
    emitCallTelemetry(request, context, reply, {
      ...call,
      operation: options.operation,
      outcome: callOutcome(reply),
      usage,
    });
    return logCall(context, call.record, reply, call.startedAt);
  };
}
