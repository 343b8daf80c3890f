import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { type AuditReadRoom } from "../composition/auditReadRoom";
import { auditReadRoom } from "../composition/rooms";
import { jsonReply } from "../http/replies";
import { traced, type TracedCall } from "../http/tracedHandler";

/** Daily summaries of the audit (jobs per state per day, per printer, busiest people), from the rows kept at record time. */
export async function auditSummaries(
  request: HttpRequest,
  context: InvocationContext,
  call: TracedCall,
  audit: AuditReadRoom,
): Promise<HttpResponseInit> {
  const query = audit.parseSummaryQuery(request.query);
  if (query.printerId) call.record.printerId = query.printerId;
  const answer = await audit.summaries(query);
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
    room: auditReadRoom,
  }),
});
