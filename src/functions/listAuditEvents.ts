import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { type AuditReadRoom } from "../composition/auditReadRoom";
import { auditReadRoom } from "../composition/rooms";
import { cursorLink } from "../http/eventLinks";
import { jsonReply } from "../http/replies";
import { traced, type TracedCall } from "../http/tracedHandler";

/** The events feed: what the audit observed, oldest first, after a cursor; `cursor` in the answer resumes it later. */
export async function listAuditEvents(
  request: HttpRequest,
  context: InvocationContext,
  call: TracedCall,
  audit: AuditReadRoom,
): Promise<HttpResponseInit> {
  const query = audit.parseEventFeedQuery(request.query);
  if (query.filter.printerId) call.record.printerId = query.filter.printerId;
  const page = await audit.events(query);
  const cursor = audit.encodeCursor(page.next);
  return jsonReply(context, 200, {
    value: page.rows.map(audit.publicEvent),
    cursor,
    ...(page.more ? { "@odata.nextLink": cursorLink(request, "audit/events", cursor) } : {}),
  });
}

app.http("listAuditEvents", {
  route: "audit/events",
  methods: ["GET"],
  authLevel: "function",
  handler: traced(listAuditEvents, {
    operation: "ListAuditEvents",
    subject: "the audit events",
    room: auditReadRoom,
  }),
});
