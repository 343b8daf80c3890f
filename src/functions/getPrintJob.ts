import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { jobsRoom } from "../composition/rooms";
import { type JobsRoom } from "../composition/jobsRoom";
import { jsonReply } from "../http/replies";
import { traced, type TracedCall } from "../http/tracedHandler";
import { parsePrintJobRequest } from "../jobs/request";

/** Gets one print job from Graph, through its printer or its printer share, as Graph has it. */
function getPrintJob(parent: "printer" | "share") {
  return async (
    request: HttpRequest,
    context: InvocationContext,
    call: TracedCall,
    jobs: JobsRoom,
  ): Promise<HttpResponseInit> => {
    const input = parsePrintJobRequest(parent, request.params, request.query);
    Object.assign(call.record, { printerId: input.ref.printerId, shareId: input.ref.shareId, jobId: input.ref.jobId });
    call.subject = `job ${input.ref.jobId} on ${parent} ${input.ref.printerId ?? input.ref.shareId}`;
    const job = await jobs.getServedPrintJob(input.ref, {
      select: input.select,
      expand: input.expand,
      abortSignal: call.abortSignal,
    });
    Object.assign(call.record, { state: job.body.status?.state ?? undefined, graphRequestId: job.requestId });
    const headers: Record<string, string> = {
      [jobs.printJobPathHeader]: job.path,
      ...(job.requestId ? { "x-graph-request-id": job.requestId } : {}),
    };
    return jsonReply(context, 200, job.body, headers);
  };
}

app.http("getPrinterJob", {
  route: "printers/{printerId}/jobs/{jobId}",
  methods: ["GET"],
  authLevel: "function",
  handler: traced(getPrintJob("printer"), {
    operation: "GetPrinterJob",
    subject: "the job on this printer",
    room: jobsRoom,
  }),
});

app.http("getShareJob", {
  route: "shares/{shareId}/jobs/{jobId}",
  methods: ["GET"],
  authLevel: "function",
  handler: traced(getPrintJob("share"), { operation: "GetShareJob", subject: "the job on this share", room: jobsRoom }),
});
