import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { type AuditReadRoom } from "../composition/auditReadRoom";
import { auditReadRoom } from "../composition/rooms";
import { traced, type TracedCall } from "../http/tracedHandler";
import { answerTriggerPoll } from "../http/triggerPolls";

/** The route, which the Location of every poll repeats. */
const route = "audit/triggers/printerFailing";

/** The "When a printer keeps failing" polling trigger: same protocol as "When a print job finishes", one item per alert. */
export async function onPrinterFailing(
  request: HttpRequest,
  context: InvocationContext,
  call: TracedCall,
  audit: AuditReadRoom,
): Promise<HttpResponseInit> {
  const query = audit.parsePrinterFailingQuery(request.query);
  if (query.printerId) call.record.printerId = query.printerId;
  return answerTriggerPoll(request, context, { route, cursor: query.cursor, feed: audit.failingPrinters(query) });
}

app.http("onPrinterFailing", {
  route,
  methods: ["GET"],
  authLevel: "function",
  handler: traced(onPrinterFailing, {
    operation: "OnPrinterFailing",
    subject: "failing printers",
    room: auditReadRoom,
  }),
});
