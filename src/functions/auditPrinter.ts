import { app, type InvocationContext } from "@azure/functions";
import { auditPrinterJobs, describeFailure, leftDerivedRowsPending, type AuditResult } from "../audit/recorder";
import { timeOfEventKey } from "../audit/events";
import { nextOccurrence } from "../audit/nextRun";
import { parseAuditMessage, recordRun, type AuditMessage } from "../audit/runs";
import { type AuditStore } from "../audit/store";
import { getConfig } from "../config";
import { graphAccessAdvice, missingGraphRoles } from "../graph/tokenRoles";
import { getAuditStore, getEvidenceAnchor, getGraphClient, getGraphTokenRoles, getPrivacyPolicy } from "../services";
import { AuditIncompleteError, AuditMessageError, GraphError } from "../errors";
import { newGraphUsage, withGraphUsage, type GraphUsage } from "../graph/usage";
import { emitPrinterAudited, failureReason, type PrinterAudited } from "../telemetry";

/** One delivery of a printer's audit message. */
interface Attempt extends AuditMessage {
  /** The host's dequeue count: 1 on the first delivery. */
  attempt: number;
  startedAt: number;
  /** The run row marked running; awaited before the outcome is written over it. */
  marking: Promise<void>;
  /** What this delivery asked of Graph, for its PrinterAudited event. */
  usage: GraphUsage;
}

/** Audits one printer for one run. A failure throws, so the host retries the message (and poisons it after its dequeue limit). */
export async function auditPrinter(message: unknown, context: InvocationContext): Promise<void> {
  const startedAt = Date.now();
  const attempt = Number(context.triggerMetadata?.dequeueCount ?? 1) || 1;
  const run = readMessage(message, context);
  if (!run) return;
  const store = getAuditStore();
  const marking = recordRun(store, {
    RunId: run.runId,
    PrinterId: run.printerId,
    Status: "running",
    StartedDateTime: new Date().toISOString(),
    Attempts: attempt,
  });
  marking.catch(() => undefined);
  const delivery: Attempt = { ...run, attempt, startedAt, marking, usage: newGraphUsage() };
  try {
    const result = await withGraphUsage(delivery.usage, async () =>
      auditPrinterJobs({
        graph: getGraphClient("background"),
        store,
        privacy: await getPrivacyPolicy(),
        runId: run.runId,
        printerId: run.printerId,
        log: { log: (m) => context.log(m), warn: (m) => context.warn(m) },
        attempt,
        evidence: getEvidenceAnchor(),
      }),
    );
    await recordSuccess(store, delivery, result, context);
  } catch (error) {
    await recordFailure(store, delivery, error, context);
    throw error;
  }
}

/** The run and printer a message asks for; a malformed message is dropped (undefined). */
function readMessage(message: unknown, context: InvocationContext): AuditMessage | undefined {
  try {
    return parseAuditMessage(message);
  } catch (error) {
    // Retrying cannot mend a malformed message: say so and drop it.
    context.error(`AuditRunFailed run=- printer=-: ${(error as Error).message} The message was dropped.`);
    if (error instanceof AuditMessageError) return undefined;
    throw error;
  }
}

async function recordSuccess(
  store: AuditStore,
  { runId, printerId, attempt, startedAt, marking, usage }: Attempt,
  result: AuditResult,
  context: InvocationContext,
): Promise<void> {
  await marking;
  await recordRun(store, {
    RunId: runId,
    PrinterId: printerId,
    Status: "succeeded",
    EndedDateTime: new Date().toISOString(),
    DurationMs: Date.now() - startedAt,
    PrinterName: result.printerName,
    JobsSeen: result.jobsSeen,
    JobsFetched: result.jobsFetched,
    ChangesWritten: result.changesWritten,
    TaskRowsWritten: result.taskRowsWritten,
    Errors: 0,
  });
  context.log(
    `auditPrinter run=${runId} printer=${printerId} attempt=${attempt} pages=${result.pages} jobsSeen=${result.jobsSeen} ` +
      `jobsFetched=${result.jobsFetched} changesWritten=${result.changesWritten} taskRowsWritten=${result.taskRowsWritten} durationMs=${Date.now() - startedAt}`,
  );
  emitPrinterAudited(context, printerRunEvent({ runId, printerId, attempt, startedAt, usage }, result, "", []));
}

/** Writes the failed attempt on the run row (what it did before failing, and why) and logs AuditRunFailed for the alert. */
async function recordFailure(
  store: AuditStore,
  { runId, printerId, attempt, startedAt, marking, usage }: Attempt,
  error: unknown,
  context: InvocationContext,
): Promise<void> {
  const partial = error instanceof AuditIncompleteError ? error.result : undefined;
  // Refused by Graph: name the roles the app's own token lacks (its roles claim), and what to do about a cached token.
  const denied =
    (error instanceof GraphError && error.statusCode === 403) ||
    (error instanceof AuditIncompleteError && / 403\b/.test(error.message));
  const tokenRoles = denied ? getGraphTokenRoles() : undefined;
  const missingRoles = denied ? missingGraphRoles(tokenRoles) : [];
  const failure = denied
    ? `${describeFailure(error)} ${graphAccessAdvice(tokenRoles)}`.slice(0, 1000)
    : describeFailure(error);
  const missingNote = missingRoles.length ? ` missingRoles=${missingRoles.join(",")}` : "";
  try {
    await marking.catch(() => undefined);
    await recordRun(store, {
      RunId: runId,
      PrinterId: printerId,
      Status: "failed",
      EndedDateTime: new Date().toISOString(),
      DurationMs: Date.now() - startedAt,
      JobsSeen: partial?.jobsSeen,
      JobsFetched: partial?.jobsFetched,
      ChangesWritten: partial?.changesWritten,
      TaskRowsWritten: partial?.taskRowsWritten,
      Errors: partial?.errors ?? 1,
      LastError: failure,
      MissingGraphRoles: denied ? missingRoles.join(",") : undefined,
      ...(leftDerivedRowsPending(error) ? { DerivedPending: true, HoldsFeedUntil: feedHoldEnd(runId) } : {}),
    });
  } catch (recordError) {
    context.warn(
      `auditPrinter run=${runId} printer=${printerId}: the run row could not be updated (${describeFailure(recordError)}).`,
    );
  }
  context.error(
    `AuditRunFailed run=${runId} printer=${printerId} attempt=${attempt} durationMs=${Date.now() - startedAt}${missingNote}: ${failure}`,
  );
  const attemptDone = { runId, printerId, attempt, startedAt, usage };
  emitPrinterAudited(context, printerRunEvent(attemptDone, partial, failureReason(error), missingRoles));
}

/** The PrinterAudited event of a delivery: succeeded when no reason is given. */
function printerRunEvent(
  { runId, printerId, attempt, startedAt, usage }: Omit<Attempt, "marking">,
  result: Partial<AuditResult> | undefined,
  reason: string,
  missingRoles: readonly string[],
): PrinterAudited {
  return {
    runId,
    printerId,
    printerName: result?.printerName ?? "",
    attempt,
    outcome: reason ? "failed" : "succeeded",
    reason,
    missingRoles: missingRoles.join(","),
    jobsSeen: result?.jobsSeen ?? 0,
    jobsFetched: result?.jobsFetched ?? 0,
    changesWritten: result?.changesWritten ?? 0,
    graphRequests: usage.requests,
    graphThrottled: usage.throttled,
    graphForbidden: usage.forbidden,
    graphLatencyMs: usage.latencyMs,
    graphMaxLatencyMs: usage.maxLatencyMs,
    durationMs: Date.now() - startedAt,
  };
}

/** A run that failed half-written holds the events feed for one audit interval: until the next scheduled run. */
function feedHoldEnd(runId: string): string | undefined {
  const opened = timeOfEventKey(runId);
  return Number.isFinite(opened)
    ? nextOccurrence(getConfig().audit.schedule, new Date(opened))?.toISOString()
    : undefined;
}

app.storageQueue("auditPrinter", {
  queueName: getConfig().audit.queueName,
  connection: "AzureWebJobsStorage",
  handler: auditPrinter,
});
