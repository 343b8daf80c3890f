import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { type AuditReadRoom } from "../composition/auditReadRoom";
import { auditReadRoom } from "../composition/rooms";
import { traced, type TracedCall } from "../http/tracedHandler";
import { answerTriggerPoll } from "../http/triggerPolls";

/** The route, which the Location of every poll repeats. */
const route = "audit/triggers/jobFinished";

/**
 * The "When a print job finishes" polling trigger: each poll after the first delivers the jobs that
 * finished (in the chosen end states) since the cursor of the Location it was given.
 */
export async function onPrintJobFinished(
  request: HttpRequest,
  context: InvocationContext,
  call: TracedCall,
  audit: AuditReadRoom,
): Promise<HttpResponseInit> {
  const query = audit.parseJobFinishedQuery(request.query);
  if (query.printerId) call.record.printerId = query.printerId;
  return answerTriggerPoll(request, context, { route, cursor: query.cursor, feed: audit.finishedJobs(query) });
}

app.http("onPrintJobFinished", {
  route,
  methods: ["GET"],
  authLevel: "function",
  handler: traced(onPrintJobFinished, {
    operation: "OnPrintJobFinished",
    subject: "finished print jobs",
    room: auditReadRoom,
  }),
});
