import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { parseSummaryQuery, readSummaries } from "../audit/read";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { withDeadline } from "../http/deadline";
import { jsonReply } from "../http/replies";
import { traced, type TracedCall } from "../http/tracedHandler";
import { getAuditStore } from "../services";

/** Daily summaries of the audit (jobs per state per day, per printer, busiest people), from the rows kept at record time. */
export async function auditSummaries(
  request: HttpRequest,
  context: InvocationContext,
  call: TracedCall,
): Promise<HttpResponseInit> {
  const { audit, http } = getConfig();
  const query = parseSummaryQuery(request.query);
  if (query.printerId) call.record.printerId = query.printerId;
  const answer = await withDeadline(http.deadlineInMs, () => readSummaries(getAuditStore(), query, audit));
  context.log(`auditSummaries days=${answer.days.length} jobs=${answer.jobs}`);
  return jsonReply(context, 200, answer);
}

app.http("auditSummaries", {
  route: "audit/summaries",
  methods: ["GET"],
  authLevel: "function",
  handler: traced(auditSummaries, {
    operation: "GetAuditSummaries",
    subject: "the audit summaries",
    replyToError: auditReplyToError,
  }),
});
