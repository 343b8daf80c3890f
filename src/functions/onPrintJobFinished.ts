import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { parseJobFinishedQuery } from "../audit/events";
import { finishedJobs } from "../audit/events";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { withDeadline } from "../http/deadline";
import { traced, type TracedCall } from "../http/tracedHandler";
import { answerTriggerPoll } from "../http/triggerPolls";
import { getAuditStore, getPrivacyForLookup } from "../services";

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
): Promise<HttpResponseInit> {
  const { audit, http } = getConfig();
  const query = parseJobFinishedQuery(request.query, audit);
  if (query.printerId) call.record.printerId = query.printerId;
  return answerTriggerPoll(request, context, {
    route,
    cursor: query.cursor,
    readBatch: async (from) => {
      const privacy = query.user !== undefined ? await getPrivacyForLookup() : audit;
      return withDeadline(http.deadlineInMs, () =>
        finishedJobs(getAuditStore(), {
          from,
          printerId: query.printerId,
          states: query.states,
          user: query.user,
          privacy,
        }),
      );
    },
  });
}

app.http("onPrintJobFinished", {
  route,
  methods: ["GET"],
  authLevel: "function",
  handler: traced(onPrintJobFinished, {
    operation: "OnPrintJobFinished",
    subject: "finished print jobs",
    replyToError: auditReplyToError,
  }),
});
