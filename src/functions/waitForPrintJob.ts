import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getConfig } from "../config";
import { isTerminalJobState } from "../graph/types";
import { apiBaseUrl } from "../http/links";
import { errorReply, jsonReply, replyToError, withDeadline } from "../http/replies";
import { logCall, type CallSubject } from "../http/trace";
import {
  completionLocation,
  parseCompletionRequest,
  nextPollInSeconds,
  type CompletionRequest,
} from "../jobs/completion";
import { getServedPrintJob, printJobPathHeader } from "../jobs/sharePath";
import { getGraphClient } from "../services";

/** What a 202 says while the job runs; the caller polls Location after Retry-After seconds. */
export interface CompletionPending {
  jobId: string;
  state: string;
  description?: string;
  deadline: string;
  timeout: string;
  retryAfterSeconds: number;
}

function handlerFor(parent: "printer" | "share") {
  const operation = parent === "printer" ? "WaitForPrinterJob" : "WaitForShareJob";
  return async function waitForPrintJob(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const started = Date.now();
    const record: CallSubject = { operation };
    const finish = (reply: HttpResponseInit): HttpResponseInit => logCall(context, record, reply, started);
    let input: CompletionRequest | undefined;
    try {
      const now = new Date();
      input = parseCompletionRequest(parent, request.params, request.query, now);
      Object.assign(record, { printerId: input.ref.printerId, shareId: input.ref.shareId, jobId: input.ref.jobId });
      const { http } = getConfig();
      const graph = getGraphClient("interactive");
      const ref = input.ref;
      const expand = input.expand;
      const job = await withDeadline(http.deadlineInMs, (abortSignal) =>
        getServedPrintJob(graph, ref, { expand, abortSignal }),
      );
      // Graph's enums grow and payloads can be malformed: anything but a string state counts as unknown (not final).
      const rawState: unknown = job.body?.status?.state;
      const state = typeof rawState === "string" && rawState !== "" ? rawState.slice(0, 100) : "unknown";
      const rawDescription: unknown = job.body?.status?.description;
      const description =
        typeof rawDescription === "string" && rawDescription !== "" ? rawDescription.slice(0, 500) : undefined;
      Object.assign(record, { state, graphRequestId: job.requestId });
      const graphHeaders: Record<string, string> = {
        [printJobPathHeader]: job.path,
        ...(job.requestId ? { "x-graph-request-id": job.requestId } : {}),
      };
      if (isTerminalJobState(state)) return finish(jsonReply(context, 200, job.body, graphHeaders));

      const checkedAt = new Date();
      if (checkedAt >= input.deadline) {
        return finish(
          errorReply(
            context,
            504,
            "completionTimeout",
            `Job ${ref.jobId} did not finish within ${input.timeout} (deadline ${input.deadline.toISOString()}); ` +
              `its last state was ${state}${description ? ` (${description})` : ""}.`,
            { target: "timeout", graphRequestId: job.requestId, lastState: state, headers: graphHeaders },
          ),
        );
      }
      const retryAfter = nextPollInSeconds(input.deadline, checkedAt);
      const pending: CompletionPending = {
        jobId: ref.jobId,
        state,
        ...(description ? { description } : {}),
        deadline: input.deadline.toISOString(),
        timeout: input.timeout,
        retryAfterSeconds: retryAfter,
      };
      return finish(
        jsonReply(context, 202, pending, {
          ...graphHeaders,
          location: completionLocation(apiBaseUrl(request), input),
          "retry-after": String(retryAfter),
        }),
      );
    } catch (error) {
      const subject = input
        ? `job ${input.ref.jobId} on ${parent} ${input.ref.printerId ?? input.ref.shareId}`
        : `the job on this ${parent}`;
      return finish(replyToError(context, error, subject));
    }
  };
}

export const waitForPrinterJob = handlerFor("printer");
export const waitForShareJob = handlerFor("share");

app.http("waitForPrinterJob", {
  route: "printers/{printerId}/jobs/{jobId}/completion",
  methods: ["GET"],
  authLevel: "function",
  handler: waitForPrinterJob,
});

app.http("waitForShareJob", {
  route: "shares/{shareId}/jobs/{jobId}/completion",
  methods: ["GET"],
  authLevel: "function",
  handler: waitForShareJob,
});
