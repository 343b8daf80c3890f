import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getJobTimeline as readTimeline } from "../audit/query";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { errorReply, jsonReply, withDeadline } from "../http/replies";
import { logCall, type CallSubject } from "../http/trace";
import { getAuditStore } from "../services";
import { assertQueryAllowed, parseJobId, parsePrinterId } from "../validation";

/** A job's audit timeline: its current state, its recorded states and task states, oldest first. */
export async function getJobTimeline(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const started = Date.now();
  const record: CallSubject = { operation: "GetJobAuditTimeline" };
  const finish = (reply: HttpResponseInit): HttpResponseInit => logCall(context, record, reply, started);
  let subject = "the audit of this job";
  try {
    const printerId = parsePrinterId(request.params.printerId);
    const jobId = parseJobId(request.params.jobId);
    Object.assign(record, { printerId, jobId });
    subject = `the audit of job ${jobId} on printer ${printerId}`;
    assertQueryAllowed(request.query, []);
    const timeline = await withDeadline(getConfig().http.deadlineInMs, () =>
      readTimeline(getAuditStore(), printerId, jobId),
    );
    if (!timeline) {
      return finish(
        errorReply(
          context,
          404,
          "notFound",
          `The audit has no record of job ${jobId} on printer ${printerId}: it was never seen by an audit run, or its history was purged.`,
        ),
      );
    }
    record.state = typeof timeline.current.JobState === "string" ? timeline.current.JobState : undefined;
    return finish(jsonReply(context, 200, timeline));
  } catch (error) {
    return finish(auditReplyToError(context, error, subject));
  }
}

app.http("getJobTimeline", {
  route: "audit/printers/{printerId}/jobs/{jobId}",
  methods: ["GET"],
  authLevel: "function",
  handler: getJobTimeline,
});
