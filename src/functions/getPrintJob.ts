import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getConfig } from "../config";
import { jsonReply, replyToError, withDeadline } from "../http/replies";
import { logCall, type CallSubject } from "../http/trace";
import { parsePrintJobRequest } from "../jobs/request";
import { getServedPrintJob, printJobPathHeader } from "../jobs/sharePath";
import { getGraphClient } from "../services";

function handlerFor(parent: "printer" | "share") {
  const operation = parent === "printer" ? "GetPrinterJob" : "GetShareJob";
  return async function getPrintJob(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const started = Date.now();
    const record: CallSubject = { operation };
    const finish = (reply: HttpResponseInit): HttpResponseInit => logCall(context, record, reply, started);
    let subject = `the job on this ${parent}`;
    try {
      const input = parsePrintJobRequest(parent, request.params, request.query);
      Object.assign(record, { printerId: input.ref.printerId, shareId: input.ref.shareId, jobId: input.ref.jobId });
      subject = `job ${input.ref.jobId} on ${parent} ${input.ref.printerId ?? input.ref.shareId}`;
      const { http } = getConfig();
      const graph = getGraphClient("interactive");
      const job = await withDeadline(http.deadlineInMs, (abortSignal) =>
        getServedPrintJob(graph, input.ref, { select: input.select, expand: input.expand, abortSignal }),
      );
      Object.assign(record, { state: job.body.status?.state ?? undefined, graphRequestId: job.requestId });
      const headers: Record<string, string> = {
        [printJobPathHeader]: job.path,
        ...(job.requestId ? { "x-graph-request-id": job.requestId } : {}),
      };
      return finish(jsonReply(context, 200, job.body, headers));
    } catch (error) {
      return finish(replyToError(context, error, subject));
    }
  };
}

export const getPrinterJob = handlerFor("printer");
export const getShareJob = handlerFor("share");

app.http("getPrinterJob", {
  route: "printers/{printerId}/jobs/{jobId}",
  methods: ["GET"],
  authLevel: "function",
  handler: getPrinterJob,
});

app.http("getShareJob", {
  route: "shares/{shareId}/jobs/{jobId}",
  methods: ["GET"],
  authLevel: "function",
  handler: getShareJob,
});
