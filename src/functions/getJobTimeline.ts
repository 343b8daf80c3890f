import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getJobTimeline as readTimeline } from "../audit/read";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { withDeadline } from "../http/deadline";
import { errorReply, jsonReply } from "../http/replies";
import { traced, type TracedCall } from "../http/tracedHandler";
import { getAuditStore } from "../services";
import { assertQueryAllowed, parseJobId, parsePrinterId } from "../validation";

/** A job's audit timeline: its current state, its recorded states and task states, oldest first. */
export async function getJobTimeline(
  request: HttpRequest,
  context: InvocationContext,
  call: TracedCall,
): Promise<HttpResponseInit> {
  const printerId = parsePrinterId(request.params.printerId);
  const jobId = parseJobId(request.params.jobId);
  Object.assign(call.record, { printerId, jobId });
  call.subject = `the audit of job ${jobId} on printer ${printerId}`;
  assertQueryAllowed(request.query, []);
  const timeline = await withDeadline(getConfig().http.deadlineInMs, () =>
    readTimeline(getAuditStore(), printerId, jobId),
  );
  if (!timeline) {
    return errorReply(
      context,
      404,
      "notFound",
      `The audit has no record of job ${jobId} on printer ${printerId}: it was never seen by an audit run, or its history was purged.`,
    );
  }
  call.record.state = typeof timeline.current.JobState === "string" ? timeline.current.JobState : undefined;
  return jsonReply(context, 200, timeline);
}

app.http("getJobTimeline", {
  route: "audit/printers/{printerId}/jobs/{jobId}",
  methods: ["GET"],
  authLevel: "function",
  handler: traced(getJobTimeline, {
    operation: "GetJobAuditTimeline",
    subject: "the audit of this job",
    replyToError: auditReplyToError,
  }),
});
