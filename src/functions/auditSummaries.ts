import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { parseSummaryQuery, readSummaries } from "../audit/summariesQuery";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { jsonReply, withDeadline } from "../http/replies";
import { logCall, type CallSubject } from "../http/trace";
import { getAuditStore } from "../services";

/** Daily summaries of the audit (jobs per state per day, per printer, busiest people), from the rows kept at record time. */
export async function auditSummaries(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const started = Date.now();
  const record: CallSubject = { operation: "GetAuditSummaries" };
  const finish = (reply: HttpResponseInit): HttpResponseInit => {
    // JSON only, never sniffed as something else (errors too).
    reply.headers = { ...(reply.headers as Record<string, string>), "x-content-type-options": "nosniff" };
    return logCall(context, record, reply, started);
  };
  try {
    const { audit, http } = getConfig();
    const query = parseSummaryQuery(request.query);
    if (query.printerId) record.printerId = query.printerId;
    const answer = await withDeadline(http.deadlineInMs, () => readSummaries(getAuditStore(), query, audit));
    context.log(`auditSummaries days=${answer.days.length} jobs=${answer.jobs}`);
    return finish(jsonReply(context, 200, answer));
  } catch (error) {
    return finish(auditReplyToError(context, error, "the audit summaries"));
  }
}

app.http("auditSummaries", {
  route: "audit/summaries",
  methods: ["GET"],
  authLevel: "function",
  handler: auditSummaries,
});
