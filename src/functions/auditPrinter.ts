import { app, type InvocationContext } from "@azure/functions";
import { auditPrinterJobs, describeFailure, leftDerivedRowsPending } from "../audit/recorder";
import { parseAuditMessage, recordRun } from "../audit/runs";
import { getConfig } from "../config";
import { graphAccessAdvice, missingGraphRoles } from "../graph/tokenRoles";
import { getAuditStore, getGraphClient, getGraphTokenRoles, getPrivacyPolicy } from "../services";
import { AuditIncompleteError, AuditMessageError, GraphError } from "../errors";

/** Audits one printer for one run. A failure throws, so the host retries the message (and poisons it after its dequeue limit). */
export async function auditPrinter(message: unknown, context: InvocationContext): Promise<void> {
  const started = Date.now();
  let runId = "-";
  let printerId = "-";
  const attempt = Number(context.triggerMetadata?.dequeueCount ?? 1) || 1;
  try {
    ({ runId, printerId } = parseAuditMessage(message));
  } catch (error) {
    // Retrying cannot mend a malformed message: say so and drop it.
    context.error(
      `AuditRunFailed run=${runId} printer=${printerId}: ${(error as Error).message} The message was dropped.`,
    );
    if (error instanceof AuditMessageError) return;
    throw error;
  }
  const store = getAuditStore();
  // Marked running while the audit starts; awaited before the outcome is written over it.
  const marking = recordRun(store, {
    RunId: runId,
    PrinterId: printerId,
    Status: "running",
    StartedDateTime: new Date().toISOString(),
    Attempts: attempt,
  });
  marking.catch(() => undefined);
  try {
    const result = await auditPrinterJobs({
      graph: getGraphClient("background"),
      store,
      privacy: await getPrivacyPolicy(),
      runId,
      printerId,
      log: { log: (m) => context.log(m), warn: (m) => context.warn(m) },
      attempt,
    });
    await marking;
    await recordRun(store, {
      RunId: runId,
      PrinterId: printerId,
      Status: "succeeded",
      EndedDateTime: new Date().toISOString(),
      DurationMs: Date.now() - started,
      PrinterName: result.printerName,
      JobsSeen: result.jobsSeen,
      JobsFetched: result.jobsFetched,
      ChangesWritten: result.changesWritten,
      TaskRowsWritten: result.taskRowsWritten,
      Errors: 0,
    });
    context.log(
      `auditPrinter run=${runId} printer=${printerId} attempt=${attempt} pages=${result.pages} jobsSeen=${result.jobsSeen} ` +
        `jobsFetched=${result.jobsFetched} changesWritten=${result.changesWritten} taskRowsWritten=${result.taskRowsWritten} durationMs=${Date.now() - started}`,
    );
  } catch (error) {
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
        DurationMs: Date.now() - started,
        JobsSeen: partial?.jobsSeen,
        JobsFetched: partial?.jobsFetched,
        ChangesWritten: partial?.changesWritten,
        TaskRowsWritten: partial?.taskRowsWritten,
        Errors: partial?.errors ?? 1,
        LastError: failure,
        MissingGraphRoles: denied ? missingRoles.join(",") : undefined,
        ...(leftDerivedRowsPending(error) ? { DerivedPending: true } : {}),
      });
    } catch (recordError) {
      context.warn(
        `auditPrinter run=${runId} printer=${printerId}: the run row could not be updated (${describeFailure(recordError)}).`,
      );
    }
    context.error(
      `AuditRunFailed run=${runId} printer=${printerId} attempt=${attempt} durationMs=${Date.now() - started}${missingNote}: ${failure}`,
    );
    throw error;
  }
}

app.storageQueue("auditPrinter", {
  queueName: getConfig().audit.queueName,
  connection: "AzureWebJobsStorage",
  handler: auditPrinter,
});
