import { app, type InvocationContext } from "@azure/functions";
import { type AuditMessage } from "../audit/runs";
import { type AuditResult } from "../audit/recorder";
import { type AuditRunRoom } from "../composition/auditRunRoom";
import { auditRunRoom } from "../composition/rooms";
import { getConfig } from "../config";
import { newGraphUsage, withGraphUsage, type GraphUsage } from "../graph/usage";
import { invocationLog } from "../http/invocationLog";
import { type PrinterAudited } from "../telemetry";
import { AuditIncompleteError, AuditMessageError } from "../errors";

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
  const runs = await auditRunRoom();
  const run = readMessage(runs, message, context);
  if (!run) return;
  const marking = runs.recordRun({
    RunId: run.runId,
    PrinterId: run.printerId,
    Status: "running",
    StartedDateTime: new Date().toISOString(),
    Attempts: attempt,
  });
  marking.catch(() => undefined);
  const delivery: Attempt = { ...run, attempt, startedAt, marking, usage: newGraphUsage() };
  try {
    const log = invocationLog(context);
    const result = await withGraphUsage(delivery.usage, () => runs.auditPrinterJobs({ ...run, attempt }, log));
    await recordSuccess(runs, delivery, result, context);
  } catch (error) {
    await recordFailure(runs, delivery, error, context);
    throw error;
  }
}

/** The run and printer a message asks for; a malformed message is dropped (undefined). */
function readMessage(runs: AuditRunRoom, message: unknown, context: InvocationContext): AuditMessage | undefined {
  try {
    return runs.parseAuditMessage(message);
  } catch (error) {
    // Retrying cannot mend a malformed message: say so and drop it.
    context.error(`AuditRunFailed run=- printer=-: ${(error as Error).message} The message was dropped.`);
    if (error instanceof AuditMessageError) return undefined;
    throw error;
  }
}

async function recordSuccess(
  runs: AuditRunRoom,
  { runId, printerId, attempt, startedAt, marking, usage }: Attempt,
  result: AuditResult,
  context: InvocationContext,
): Promise<void> {
  await marking;
  await runs.recordRun({
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
    ...(result.privacyWithheld ? { PrivacyWithheld: result.privacyWithheld } : {}),
  });
  context.log(
    `auditPrinter run=${runId} printer=${printerId} attempt=${attempt} pages=${result.pages} jobsSeen=${result.jobsSeen} ` +
      `jobsFetched=${result.jobsFetched} changesWritten=${result.changesWritten} taskRowsWritten=${result.taskRowsWritten} durationMs=${Date.now() - startedAt}`,
  );
  runs.telemetry.emitPrinterAudited(
    context,
    printerRunEvent({ runId, printerId, attempt, startedAt, usage }, result, "", []),
  );
}

/** Writes the failed attempt on the run row (what it did before failing, and why) and logs AuditRunFailed for the alert. */
async function recordFailure(
  runs: AuditRunRoom,
  { runId, printerId, attempt, startedAt, marking, usage }: Attempt,
  error: unknown,
  context: InvocationContext,
): Promise<void> {
  const partial = error instanceof AuditIncompleteError ? error.result : undefined;
  // Refused by Graph: name the roles the app's own token lacks (its roles claim), and what to do about a cached token.
  const refusal = runs.graphRefusal(error);
  const failure = refusal
    ? `${runs.describeFailure(error)} ${refusal.advice}`.slice(0, 1000)
    : runs.describeFailure(error);
  const missingNote = refusal?.missingRoles.length ? ` missingRoles=${refusal.missingRoles.join(",")}` : "";
  try {
    await marking.catch(() => undefined);
    await runs.recordRun({
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
      MissingGraphRoles: refusal ? refusal.missingRoles.join(",") : undefined,
      ...(runs.leftDerivedRowsPending(error) ? { DerivedPending: true, HoldsFeedUntil: runs.feedHoldEnd(runId) } : {}),
    });
  } catch (recordError) {
    context.warn(
      `auditPrinter run=${runId} printer=${printerId}: the run row could not be updated (${runs.describeFailure(recordError)}).`,
    );
  }
  context.error(
    `AuditRunFailed run=${runId} printer=${printerId} attempt=${attempt} durationMs=${Date.now() - startedAt}${missingNote}: ${failure}`,
  );
  const attemptDone = { runId, printerId, attempt, startedAt, usage };
  const missingRoles = refusal?.missingRoles ?? [];
  const event = printerRunEvent(attemptDone, partial, runs.telemetry.failureReason(error), missingRoles);
  runs.telemetry.emitPrinterAudited(context, event);
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

app.storageQueue("auditPrinter", {
  queueName: getConfig().audit.queueName,
  connection: "AzureWebJobsStorage",
  handler: auditPrinter,
});
