import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { auditedPrinters } from "../audit/events";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { withDeadline } from "../http/deadline";
import { jsonReply } from "../http/replies";
import { traced } from "../http/tracedHandler";
import { getAuditStore } from "../services";
import { assertQueryAllowed } from "../validation";

/** The audited printers with their names: the triggers' printer picker. */
export async function listAuditedPrinters(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  assertQueryAllowed(request.query, []);
  const { audit, http } = getConfig();
  const value = await withDeadline(http.deadlineInMs, () => auditedPrinters(getAuditStore(), audit.printerIds));
  return jsonReply(context, 200, { value });
}

app.http("listAuditedPrinters", {
  route: "audit/printers",
  methods: ["GET"],
  authLevel: "function",
  handler: traced(listAuditedPrinters, {
    operation: "ListAuditedPrinters",
    subject: "the audited printers",
    replyToError: auditReplyToError,
  }),
});
