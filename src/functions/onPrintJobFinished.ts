import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { currentCursor } from "../audit/events";
import { parseJobFinishedQuery } from "../audit/eventsQuery";
import { finishedJobs } from "../audit/eventsTriggers";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { cursorLink } from "../http/eventLinks";
import { jsonReply, replyHeaders, withDeadline } from "../http/replies";
import { logCall, type CallSubject } from "../http/trace";
import { getAuditStore, getPrivacyForLookup } from "../services";

/** Seconds Power Automate waits before the next poll; an audit run comes every few minutes at most. */
export const triggerRetryAfterSeconds = 60;
const route = "audit/triggers/jobFinished";

/**
 * The "When a print job finishes" polling trigger (Power Platform's polling protocol): the first poll
 * answers 202 with a Location holding the current cursor; later polls answer 202 with the same or an
 * advanced cursor when nothing new finished, or 200 with the new finished jobs and the advanced cursor.
 */
export async function onPrintJobFinished(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const started = Date.now();
  const record: CallSubject = { operation: "OnPrintJobFinished" };
  const finish = (reply: HttpResponseInit): HttpResponseInit => logCall(context, record, reply, started);
  try {
    const { audit, http } = getConfig();
    const query = parseJobFinishedQuery(request.query, audit);
    if (query.printerId) record.printerId = query.printerId;
    const store = getAuditStore();
    const retryAfter = { "retry-after": String(triggerRetryAfterSeconds) };
    if (!query.cursor) {
      const cursor = await withDeadline(http.deadlineInMs, () => currentCursor(store));
      return finish({
        status: 202,
        headers: { ...replyHeaders(context), ...retryAfter, location: cursorLink(request, route, cursor) },
      });
    }
    const from = query.cursor;
    const privacy = query.user !== undefined ? await getPrivacyForLookup() : audit;
    const batch = await withDeadline(http.deadlineInMs, () =>
      finishedJobs(store, { from, printerId: query.printerId, states: query.states, user: query.user, privacy }),
    );
    const location = cursorLink(request, route, batch.next);
    if (batch.value.length === 0)
      return finish({ status: 202, headers: { ...replyHeaders(context), ...retryAfter, location } });
    return finish(jsonReply(context, 200, { value: batch.value }, { ...retryAfter, location }));
  } catch (error) {
    return finish(auditReplyToError(context, error, "finished print jobs"));
  }
}

app.http("onPrintJobFinished", {
  route,
  methods: ["GET"],
  authLevel: "function",
  handler: onPrintJobFinished,
});
