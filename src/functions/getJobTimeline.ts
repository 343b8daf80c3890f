import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getJobTimeline as readTimeline } from "../audit/query";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { errorReply, jsonReply, withDeadline } from "../http/replies";
import { assertQueryAllowed, parseJobId, parsePrinterId } from "../jobs/request";
import { getAuditStore } from "../services";

/** A job's audit timeline: its current state, its recorded states and task states, oldest first. */
export async function getJobTimeline(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const started = Date.now();
  const subject = `the audit of job ${request.params.jobId ?? "?"} on printer ${request.params.printerId ?? "?"}`;
  try {
    const printerId = parsePrinterId(request.params.printerId);
    const jobId = parseJobId(request.params.jobId);
    assertQueryAllowed(request.query, new Set(["code"]));
    const timeline = await withDeadline(getConfig().http.deadlineInMs, () => readTimeline(getAuditStore(), printerId, jobId));
    context.log(`getJobTimeline printer=${printerId} job=${jobId} status=${timeline ? 200 : 404} states=${timeline?.states.length ?? 0} durationMs=${Date.now() - started}`);
    if (!timeline) {
      return errorReply(context, 404, "notFound", `The audit has no record of job ${jobId} on printer ${printerId}: it was never seen by an audit run, or its history was purged.`);
    }
    return jsonReply(context, 200, timeline);
  } catch (error) {
    const reply = auditReplyToError(context, error, subject);
    context.log(`getJobTimeline status=${reply.status} durationMs=${Date.now() - started}`);
    return reply;
  }
}

app.http("getJobTimeline", {
  route: "audit/printers/{printerId}/jobs/{jobId}",
  methods: ["GET"],
  authLevel: "function",
  handler: getJobTimeline,
});
