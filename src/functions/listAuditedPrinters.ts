import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { auditedPrinters } from "../audit/eventsPrinters";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { jsonReply, withDeadline } from "../http/replies";
import { logCall, type CallSubject } from "../http/trace";
import { getAuditStore } from "../services";
import { assertQueryAllowed } from "../validation";

/** The audited printers with their names: the triggers' printer picker. */
export async function listAuditedPrinters(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const started = Date.now();
  const record: CallSubject = { operation: "ListAuditedPrinters" };
  const finish = (reply: HttpResponseInit): HttpResponseInit => logCall(context, record, reply, started);
  try {
    assertQueryAllowed(request.query, []);
    const { audit, http } = getConfig();
    const value = await withDeadline(http.deadlineInMs, () => auditedPrinters(getAuditStore(), audit.printerIds));
    return finish(jsonReply(context, 200, { value }));
  } catch (error) {
    return finish(auditReplyToError(context, error, "the audited printers"));
  }
}

app.http("listAuditedPrinters", {
  route: "audit/printers",
  methods: ["GET"],
  authLevel: "function",
  handler: listAuditedPrinters,
});
