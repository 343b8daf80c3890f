import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getConfig } from "../config";
import { jsonReply, replyToError, withDeadline } from "../http/replies";
import { parsePrintJobRequest } from "../jobs/request";
import { getGraphClient } from "../services";

function handlerFor(parent: "printer" | "share") {
  return async function getPrintJob(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const started = Date.now();
    const parentId = parent === "printer" ? request.params.printerId : request.params.shareId;
    const subject = `job ${request.params.jobId ?? "?"} on ${parent} ${parentId ?? "?"}`;
    try {
      const input = parsePrintJobRequest(parent, request.params, request.query);
      const { http } = getConfig();
      const graph = getGraphClient("interactive");
      const job = await withDeadline(http.deadlineInMs, (abortSignal) =>
        graph.getPrintJob(input.ref, { select: input.select, expand: input.expand, abortSignal }),
      );
      context.log(`getPrintJob ${parent}=${parentId} job=${input.ref.jobId} status=200 graphRequestId=${job.requestId ?? "-"} durationMs=${Date.now() - started}`);
      return jsonReply(context, 200, job.body, job.requestId ? { "x-graph-request-id": job.requestId } : {});
    } catch (error) {
      const reply = replyToError(context, error, subject);
      context.log(`getPrintJob ${parent} status=${reply.status} durationMs=${Date.now() - started}`);
      return reply;
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
