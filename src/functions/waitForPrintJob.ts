import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { jobsRoom } from "../composition/rooms";
import { type JobsRoom } from "../composition/jobsRoom";
import { isTerminalJobState } from "../graph/types";
import { apiBaseUrl } from "../http/links";
import { errorReply, jsonReply } from "../http/replies";
import { traced, type TracedCall } from "../http/tracedHandler";
import {
  completionLocation,
  nextPollInSeconds,
  parseCompletionRequest,
  type CompletionRequest,
} from "../jobs/completion";
import { type ServedPrintJob } from "../jobs/sharePath";

/** What a 202 says while the job runs; the caller polls Location after Retry-After seconds. */
export interface CompletionPending {
  jobId: string;
  state: string;
  description?: string;
  deadline: string;
  timeout: string;
  retryAfterSeconds: number;
}

/** The job's status as last read, made safe to echo. */
interface ReadStatus {
  state: string;
  description?: string;
}

// Graph's enums grow and payloads can be malformed: anything but a string state counts as unknown (not final).
function readStatus(job: ServedPrintJob): ReadStatus {
  const rawState: unknown = job.body?.status?.state;
  const state = typeof rawState === "string" && rawState !== "" ? rawState.slice(0, 100) : "unknown";
  const rawDescription: unknown = job.body?.status?.description;
  const description =
    typeof rawDescription === "string" && rawDescription !== "" ? rawDescription.slice(0, 500) : undefined;
  return { state, description };
}

/** The wait is over without a final state: 504 naming the job's last state. */
function completionTimeoutReply(
  context: InvocationContext,
  input: CompletionRequest,
  job: ServedPrintJob,
  { state, description }: ReadStatus,
  headers: Record<string, string>,
): HttpResponseInit {
  return errorReply(
    context,
    504,
    "completionTimeout",
    `Job ${input.ref.jobId} did not finish within ${input.timeout} (deadline ${input.deadline.toISOString()}); ` +
      `its last state was ${state}${description ? ` (${description})` : ""}.`,
    { target: "timeout", graphRequestId: job.requestId, lastState: state, headers },
  );
}

/** The job still runs: 202 with the Location to poll and when. */
function pendingReply(
  request: HttpRequest,
  context: InvocationContext,
  input: CompletionRequest,
  { state, description }: ReadStatus,
  headers: Record<string, string>,
  checkedAt: Date,
): HttpResponseInit {
  const retryAfter = nextPollInSeconds(input.deadline, checkedAt);
  const pending: CompletionPending = {
    jobId: input.ref.jobId,
    state,
    ...(description ? { description } : {}),
    deadline: input.deadline.toISOString(),
    timeout: input.timeout,
    retryAfterSeconds: retryAfter,
  };
  return jsonReply(context, 202, pending, {
    ...headers,
    location: completionLocation(apiBaseUrl(request), input),
    "retry-after": String(retryAfter),
  });
}

/** One poll of a wait for a print job to finish: 200 with the job once final, 202 while it runs, 504 past the deadline. */
function waitForPrintJob(parent: "printer" | "share") {
  return async (
    request: HttpRequest,
    context: InvocationContext,
    call: TracedCall,
    jobs: JobsRoom,
  ): Promise<HttpResponseInit> => {
    const input = parseCompletionRequest(parent, request.params, request.query, new Date());
    Object.assign(call.record, { printerId: input.ref.printerId, shareId: input.ref.shareId, jobId: input.ref.jobId });
    call.subject = `job ${input.ref.jobId} on ${parent} ${input.ref.printerId ?? input.ref.shareId}`;
    const job = await jobs.getServedPrintJob(input.ref, { expand: input.expand, abortSignal: call.abortSignal });
    const status = readStatus(job);
    Object.assign(call.record, { state: status.state, graphRequestId: job.requestId });
    const headers: Record<string, string> = {
      [jobs.printJobPathHeader]: job.path,
      ...(job.requestId ? { "x-graph-request-id": job.requestId } : {}),
    };
    if (isTerminalJobState(status.state)) return jsonReply(context, 200, job.body, headers);
    const checkedAt = new Date();
    if (checkedAt >= input.deadline) return completionTimeoutReply(context, input, job, status, headers);
    return pendingReply(request, context, input, status, headers, checkedAt);
  };
}

app.http("waitForPrinterJob", {
  route: "printers/{printerId}/jobs/{jobId}/completion",
  methods: ["GET"],
  authLevel: "function",
  handler: traced(waitForPrintJob("printer"), {
    operation: "WaitForPrinterJob",
    subject: "the job on this printer",
    room: jobsRoom,
  }),
});

app.http("waitForShareJob", {
  route: "shares/{shareId}/jobs/{jobId}/completion",
  methods: ["GET"],
  authLevel: "function",
  handler: traced(waitForPrintJob("share"), {
    operation: "WaitForShareJob",
    subject: "the job on this share",
    room: jobsRoom,
  }),
});
