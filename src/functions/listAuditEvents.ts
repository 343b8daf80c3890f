import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { encodeCursor, publicEvent, readEvents } from "../audit/events";
import { parseEventFeedQuery } from "../audit/events";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { withDeadline } from "../http/deadline";
import { cursorLink } from "../http/eventLinks";
import { jsonReply } from "../http/replies";
import { traced, type TracedCall } from "../http/tracedHandler";
import { getAuditStore, getPrivacyForLookup } from "../services";

/** The events feed: what the audit observed, oldest first, after a cursor; `cursor` in the answer resumes it later. */
export async function listAuditEvents(
  request: HttpRequest,
  context: InvocationContext,
  call: TracedCall,
): Promise<HttpResponseInit> {
  const { audit, http } = getConfig();
  const query = parseEventFeedQuery(request.query, audit);
  if (query.filter.printerId) call.record.printerId = query.filter.printerId;
  // The key is needed only to find a person's pseudonymized events (as in the jobs list).
  const privacy = query.filter.user !== undefined ? await getPrivacyForLookup() : audit;
  const page = await withDeadline(http.deadlineInMs, () =>
    readEvents(getAuditStore(), { from: query.from, filter: query.filter, top: query.top, privacy }),
  );
  return jsonReply(context, 200, {
    value: page.rows.map(publicEvent),
    cursor: encodeCursor(page.next),
    ...(page.more ? { "@odata.nextLink": cursorLink(request, "audit/events", page.next) } : {}),
  });
}

app.http("listAuditEvents", {
  route: "audit/events",
  methods: ["GET"],
  authLevel: "function",
  handler: traced(listAuditEvents, {
    operation: "ListAuditEvents",
    subject: "the audit events",
    replyToError: auditReplyToError,
  }),
});
