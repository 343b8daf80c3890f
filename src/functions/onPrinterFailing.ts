import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { currentCursor } from "../audit/events";
import { parsePrinterFailingQuery } from "../audit/eventsQuery";
import { failingPrinters } from "../audit/eventsTriggers";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { cursorLink } from "../http/eventLinks";
import { jsonReply, replyHeaders, withDeadline } from "../http/replies";
import { logCall, type CallSubject } from "../http/trace";
import { getAuditStore } from "../services";
import { triggerRetryAfterSeconds } from "./onPrintJobFinished";

const route = "audit/triggers/printerFailing";

/** The "When a printer keeps failing" polling trigger: same protocol as "When a print job finishes", one item per alert. */
export async function onPrinterFailing(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const started = Date.now();
  const record: CallSubject = { operation: "OnPrinterFailing" };
  const finish = (reply: HttpResponseInit): HttpResponseInit => logCall(context, record, reply, started);
  try {
    const { audit, http } = getConfig();
    const query = parsePrinterFailingQuery(request.query);
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
    const batch = await withDeadline(http.deadlineInMs, () =>
      failingPrinters(store, {
        from,
        printerId: query.printerId,
        threshold: query.threshold,
        windowMs: query.windowMs,
        window: query.window,
        privacy: audit,
      }),
    );
    const location = cursorLink(request, route, batch.next);
    if (batch.value.length === 0)
      return finish({ status: 202, headers: { ...replyHeaders(context), ...retryAfter, location } });
    return finish(jsonReply(context, 200, { value: batch.value }, { ...retryAfter, location }));
  } catch (error) {
    return finish(auditReplyToError(context, error, "failing printers"));
  }
}

app.http("onPrinterFailing", {
  route,
  methods: ["GET"],
  authLevel: "function",
  handler: onPrinterFailing,
});
