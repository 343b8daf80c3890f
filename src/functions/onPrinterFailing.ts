import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { parsePrinterFailingQuery } from "../audit/events";
import { failingPrinters } from "../audit/events";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { withDeadline } from "../http/deadline";
import { traced, type TracedCall } from "../http/tracedHandler";
import { answerTriggerPoll } from "../http/triggerPolls";
import { getAuditStore } from "../services";

/** The route, which the Location of every poll repeats. */
const route = "audit/triggers/printerFailing";

/** The "When a printer keeps failing" polling trigger: same protocol as "When a print job finishes", one item per alert. */
export async function onPrinterFailing(
  request: HttpRequest,
  context: InvocationContext,
  call: TracedCall,
): Promise<HttpResponseInit> {
  const { audit, http } = getConfig();
  const query = parsePrinterFailingQuery(request.query);
  if (query.printerId) call.record.printerId = query.printerId;
  return answerTriggerPoll(request, context, {
    route,
    cursor: query.cursor,
    readBatch: (from) =>
      withDeadline(http.deadlineInMs, () =>
        failingPrinters(getAuditStore(), {
          from,
          printerId: query.printerId,
          threshold: query.threshold,
          windowMs: query.windowMs,
          window: query.window,
          privacy: audit,
        }),
      ),
  });
}

app.http("onPrinterFailing", {
  route,
  methods: ["GET"],
  authLevel: "function",
  handler: traced(onPrinterFailing, {
    operation: "OnPrinterFailing",
    subject: "failing printers",
    replyToError: auditReplyToError,
  }),
});
