import { app, type InvocationContext, type Timer } from "@azure/functions";
import { openRun, resolvePrinters } from "../audit/fanout";
import { completeIndexesOfNewAudit } from "../audit/indexes";
import { newRunId } from "../audit/keys";
import { type PrivacyPolicy } from "../audit/privacy";
import { describeFailure } from "../audit/recorder";
import { runRedaction } from "../audit/redaction";
import { getConfig } from "../config";
import { getAuditStore, getGraphClient, getPrivacyPolicy, getQueueClient } from "../services";
import { emitAuditRunStarted, emitRedactionPass, failureReason } from "../telemetry";

/** Opens an audit run: one run row and one queue message per printer; auditPrinter does the work. Then rewrites rows a privacy change left behind. */
export async function auditTimer(timer: Timer, context: InvocationContext): Promise<void> {
  const started = Date.now();
  const { audit } = getConfig();
  const log = { log: (m: string) => context.log(m), warn: (m: string) => context.warn(m) };
  // The timer runs one at a time across instances: the one place that creates a missing pseudonym key.
  let privacy: PrivacyPolicy | undefined;
  try {
    privacy = await getPrivacyPolicy({ create: true });
  } catch (error) {
    context.error(`auditTimer: the privacy settings cannot be applied: ${describeFailure(error)}`);
  }
  try {
    await completeIndexesOfNewAudit(getAuditStore(), log);
  } catch (error) {
    context.warn(
      `auditTimer: could not check whether the read indexes need a backfill (${describeFailure(error)}); the backfill timer does.`,
    );
  }
  const scope = await resolvePrinters(audit, getGraphClient("background"), log);
  let runId = newRunId();
  const pastDue = timer?.isPastDue === true;
  if (scope.printerIds.length === 0) {
    context.warn(
      "auditTimer: nothing to audit. Set AUDIT_PRINTER_IDS to the printer GUIDs to audit (comma- or space-separated), " +
        "or AUDIT_DISCOVER_PRINTERS=true where the identity may list printers.",
    );
  } else {
    const run = await openRun({
      printerIds: scope.printerIds,
      pastDue,
      store: getAuditStore(),
      queue: getQueueClient(audit.queueName),
    });
    runId = run.runId;
    if (pastDue)
      context.warn(
        `auditTimer: run ${run.runId} started past due (the previous schedule was missed); it runs now and its run rows say PastDue.`,
      );
    context.log(
      `auditTimer: run ${run.runId} queued ${run.printerIds.length} printer(s) (${scope.source}) on ${audit.queueName} in ${Date.now() - started} ms.`,
    );
  }
  const queued = scope.printerIds.length;
  const outcome = queued > 0 ? "queued" : "nothingToAudit";
  emitAuditRunStarted(context, {
    runId,
    outcome,
    printersQueued: queued,
    source: scope.source,
    pastDue,
    durationMs: Date.now() - started,
  });
  if (privacy) await redactionStep(runId, privacy, context);
}

/** Rows recorded under a laxer policy, an older key or of an erased person are rewritten; progress goes to the run's "redaction" row. */
async function redactionStep(runId: string, privacy: PrivacyPolicy, context: InvocationContext): Promise<void> {
  const store = getAuditStore();
  const log = { log: (m: string) => context.log(m), warn: (m: string) => context.warn(m) };
  const startedAt = new Date().toISOString();
  const started = Date.now();
  let recorded = false;
  try {
    const result = await runRedaction(store, privacy, {
      log,
      onProgress: async (progress) => {
        // A pass that finds nothing to rewrite leaves the run's rows as they are.
        if (progress.rowsRewritten === 0) return;
        recorded = true;
        await store.mergeRow(store.tables.runs, {
          partitionKey: runId,
          rowKey: "redaction",
          Status: "running",
          StartedDateTime: startedAt,
          RowsRewritten: progress.rowsRewritten,
          JobsRewritten: progress.jobsRewritten,
          RowsScanned: progress.rowsScanned,
        });
      },
    });
    if (!recorded && result.clean) return;
    await store.mergeRow(store.tables.runs, {
      partitionKey: runId,
      rowKey: "redaction",
      Status: result.clean ? "succeeded" : "continuing",
      StartedDateTime: startedAt,
      EndedDateTime: new Date().toISOString(),
      Target: result.target,
      RowsRewritten: result.rowsRewritten,
      JobsRewritten: result.jobsRewritten,
      RowsScanned: result.rowsScanned,
      Passes: result.passes,
      Complete: result.clean,
    });
    context.log(
      `auditRedaction run=${runId} rowsRewritten=${result.rowsRewritten} jobsRewritten=${result.jobsRewritten} rowsScanned=${result.rowsScanned} ` +
        `passes=${result.passes} complete=${result.clean}${result.stopped ? " (time budget used up; the next run continues)" : ""}`,
    );
    const outcome = result.clean ? "succeeded" : "continuing";
    emitRedactionPass(context, { runId, outcome, reason: "", ...counts(result), durationMs: Date.now() - started });
  } catch (error) {
    const failure = describeFailure(error);
    context.error(`auditRedaction run=${runId} failed: ${failure} The next run continues from its cursor.`);
    const reason = failureReason(error);
    emitRedactionPass(context, { runId, outcome: "failed", reason, ...counts(), durationMs: Date.now() - started });
    await store
      .mergeRow(store.tables.runs, {
        partitionKey: runId,
        rowKey: "redaction",
        Status: "failed",
        EndedDateTime: new Date().toISOString(),
        LastError: failure,
      })
      .catch(() => undefined);
  }
}

type RedactionResult = Awaited<ReturnType<typeof runRedaction>>;

/** A redaction pass's counts for its RedactionPass event; zero when it failed before it counted. */
function counts(
  result?: RedactionResult,
): Pick<RedactionResult, "rowsRewritten" | "jobsRewritten" | "rowsScanned" | "passes"> {
  return {
    rowsRewritten: result?.rowsRewritten ?? 0,
    jobsRewritten: result?.jobsRewritten ?? 0,
    rowsScanned: result?.rowsScanned ?? 0,
    passes: result?.passes ?? 0,
  };
}

app.timer("auditTimer", {
  schedule: getConfig().audit.schedule,
  runOnStartup: false,
  useMonitor: true,
  handler: auditTimer,
});
