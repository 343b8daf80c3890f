import { type HttpHandler, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getConfig } from "../config";
import { newGraphUsage, withGraphUsage } from "../graph/usage";
import { type emitCallTelemetry } from "./callTelemetry";
import { withDeadline } from "./deadline";
import { callOutcome, logCall, type CallSubject } from "./trace";

/** What a handler tells the wrapper about its call as it learns it, and the time it has. */
export interface TracedCall {
  /** The call log line's ids and state, filled in as the handler validates input and reads Graph. */
  readonly record: CallSubject;
  /** The thing asked for, as an error answer names it: "the audit events", "job 5182 on printer …". */
  subject: string;
  /** When the call began (epoch ms): the log line's duration, and any budget of the handler's own. */
  readonly startedAt: number;
  /** HTTP_DEADLINE_MS: the caller is answered within it, a 504 if the work is not done by then. */
  readonly deadlineInMs: number;
  /** Fires at the deadline; handed to Graph and Table calls so that they stop too. */
  readonly abortSignal: AbortSignal;
}

/** How a thrown error becomes an answer (http/errorReplies.ts, or auditReplies.ts on the audit's routes). */
export type FailureReply = (context: InvocationContext, error: unknown, subject: string) => HttpResponseInit;

/** What a route's room gives the frame besides its domain calls: the answer to a failure. */
export interface RouteRoom {
  replyToError: FailureReply;
}

/** A route's own logic: the answer it gives; whatever it throws is answered by the wrapper. */
export type TracedHttpHandler<Room> = (
  request: HttpRequest,
  context: InvocationContext,
  call: TracedCall,
  room: Room,
) => Promise<HttpResponseInit>;

export interface TraceOptions<Room extends RouteRoom> {
  /** The OpenAPI operationId, e.g. GetPrinterJob: the log line's operation. */
  operation: string;
  /** What error answers call the thing asked for until the handler knows more. */
  subject: string;
  /** The room the route calls (src/composition/rooms.ts), built and loaded on the first call. */
  room: () => Promise<Room>;
  /** False on a route that keeps a budget of its own and answers 202 before it runs out (the erasure). */
  deadline?: boolean;
}

/**
 * The one frame of every API route (not the viewer's page, which serves a file): loads the route's room,
 * gives the handler HTTP_DEADLINE_MS (a 504 past it), turns a thrown error into its JSON answer, logs the call
 * log line (trace.ts) with the answer's status, outcome and duration, and sends the call's named event
 * (callTelemetry.ts, loaded with the first answer) with what it asked of Graph.
 */
export function traced<Room extends RouteRoom>(
  handle: TracedHttpHandler<Room>,
  options: TraceOptions<Room>,
): HttpHandler {
  return async (request, context) => {
    const startedAt = Date.now();
    const record: CallSubject = { operation: options.operation };
    let subject = options.subject;
    let room: Room | undefined;
    const usage = newGraphUsage();
    let reply: HttpResponseInit;
    try {
      const { deadlineInMs } = getConfig().http;
      const run = async (abortSignal: AbortSignal): Promise<HttpResponseInit> => {
        room = await options.room();
        const call: TracedCall = {
          record,
          get subject() {
            return subject;
          },
          set subject(value) {
            subject = value;
          },
          startedAt,
          deadlineInMs,
          abortSignal,
        };
        return withGraphUsage(usage, () => handle(request, context, call, room!));
      };
      reply =
        options.deadline === false ? await run(new AbortController().signal) : await withDeadline(deadlineInMs, run);
    } catch (error) {
      reply = await failureReply(room, context, error, subject);
    }
    (await callTelemetry())(request, context, reply, {
      operation: options.operation,
      record,
      outcome: callOutcome(reply),
      usage,
      startedAt,
    });
    return logCall(context, record, reply, startedAt);
  };
}

let telemetry: Promise<typeof emitCallTelemetry> | undefined;

/** The call's named event: its module knows get-job and Graph's telemetry, so it is loaded with the first answer. */
function callTelemetry(): Promise<typeof emitCallTelemetry> {
  telemetry ??= import("./callTelemetry.js").then((m) => m.emitCallTelemetry);
  return telemetry;
}

/** The room's answer to a failure; before the room is at hand (a setting is wrong, say), the common one. */
async function failureReply(
  room: RouteRoom | undefined,
  context: InvocationContext,
  error: unknown,
  subject: string,
): Promise<HttpResponseInit> {
  if (room) return room.replyToError(context, error, subject);
  const { replyToError } = await import("./errorReplies.js");
  return replyToError(context, error, subject);
}
