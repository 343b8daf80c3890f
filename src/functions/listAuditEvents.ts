import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { encodeCursor, publicEvent, readEvents } from "../audit/events";
import { parseEventFeedQuery } from "../audit/eventsQuery";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { cursorLink } from "../http/eventLinks";
import { jsonReply, withDeadline } from "../http/replies";
import { logCall, type CallSubject } from "../http/trace";
import { getAuditStore, getPrivacyForLookup } from "../services";

/** The events feed: what the audit observed, oldest first, after a cursor; `cursor` in the answer resumes it later. */
export async function listAuditEvents(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const started = Date.now();
  const record: CallSubject = { operation: "ListAuditEvents" };
  const finish = (reply: HttpResponseInit): HttpResponseInit => logCall(context, record, reply, started);
  try {
    const { audit, http } = getConfig();
    const query = parseEventFeedQuery(request.query, audit);
    if (query.filter.printerId) record.printerId = query.filter.printerId;
    // The key is needed only to find a person's pseudonymized events (as in the jobs list).
    const privacy = query.filter.user !== undefined ? await getPrivacyForLookup() : audit;
    const page = await withDeadline(http.deadlineInMs, () =>
      readEvents(getAuditStore(), { from: query.from, filter: query.filter, top: query.top, privacy }),
    );
    return finish(
      jsonReply(context, 200, {
        value: page.rows.map(publicEvent),
        cursor: encodeCursor(page.next),
        ...(page.more ? { "@odata.nextLink": cursorLink(request, "audit/events", page.next) } : {}),
      }),
    );
  } catch (error) {
    return finish(auditReplyToError(context, error, "the audit events"));
  }
}

app.http("listAuditEvents", {
  route: "audit/events",
  methods: ["GET"],
  authLevel: "function",
  handler: listAuditEvents,
});
