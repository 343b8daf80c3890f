import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { type AuditReadRoom } from "../composition/auditReadRoom";
import { auditReadRoom } from "../composition/rooms";
import { jsonReply } from "../http/replies";
import { traced, type TracedCall } from "../http/tracedHandler";
import { assertQueryAllowed } from "../validation";

/** The audited printers with their names: the triggers' printer picker. */
export async function listAuditedPrinters(
  request: HttpRequest,
  context: InvocationContext,
  _call: TracedCall,
  audit: AuditReadRoom,
): Promise<HttpResponseInit> {
  assertQueryAllowed(request.query, []);
  return jsonReply(context, 200, { value: await audit.auditedPrinters() });
}

app.http("listAuditedPrinters", {
  route: "audit/printers",
  methods: ["GET"],
  authLevel: "function",
  handler: traced(listAuditedPrinters, {
    operation: "ListAuditedPrinters",
    subject: "the audited printers",
    room: auditReadRoom,
  }),
});
