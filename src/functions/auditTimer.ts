import { app, type InvocationContext, type Timer } from "@azure/functions";
import { type PrivacyPolicy } from "../audit/privacy";
import { type AuditRunRoom } from "../composition/auditRunRoom";
import { auditRunRoom } from "../composition/rooms";
import { getConfig } from "../config";
import { invocationLog } from "../http/invocationLog";

/** Opens an audit run: one run row and one queue message per printer; auditPrinter does the work. Then rewrites rows a privacy change left behind. */
export async function auditTimer(timer: Timer, context: InvocationContext): Promise<void> {
  const started = Date.now();
  const { audit } = getConfig();
  const runs = await auditRunRoom();
  const log = invocationLog(context);
  // The timer runs one at a time across instances: the one place that creates a missing pseudonym key.
  let privacy: PrivacyPolicy | undefined;
  try {
    privacy = await runs.privacy({ create: true });
  } catch (error) {
    context.error(`auditTimer: the privacy settings cannot be applied: ${runs.describeFailure(error)}`);
  }
  try {
    await runs.completeIndexesOfNewAudit(log);
  } catch (error) {
    context.warn(
      `auditTimer: could not check whether the read indexes need a backfill (${runs.describeFailure(error)}); the backfill timer does.`,
    );
  }
  const scope = await runs.resolvePrinters(log);
  let runId = runs.newRunId();
  const pastDue = timer?.isPastDue === true;
  if (scope.printerIds.length === 0) {
    context.warn(
      "auditTimer: nothing to audit. Set AUDIT_PRINTER_IDS to the printer GUIDs to audit (comma- or space-separated), " +
        "or AUDIT_DISCOVER_PRINTERS=true where the identity may list printers.",
    );
  } else {
    const run = await runs.openRun(scope.printerIds, pastDue);
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
  runs.telemetry.emitAuditRunStarted(context, {
    runId,
    outcome: queued > 0 ? "queued" : "nothingToAudit",
    printersQueued: queued,
    source: scope.source,
    pastDue,
    durationMs: Date.now() - started,
  });
  if (privacy) await redactionStep(runs, runId, privacy, context);
}

/** Rows recorded under a laxer policy, an older key or of an erased person are rewritten; the run's "redaction" row says how far. */
async function redactionStep(
  runs: AuditRunRoom,
  runId: string,
  privacy: PrivacyPolicy,
  context: InvocationContext,
): Promise<void> {
  const started = Date.now();
  const step = await runs.redactForRun(runId, privacy, invocationLog(context));
  const { emitRedactionPass, failureReason } = runs.telemetry;
  if (step.outcome === "failed") {
    context.error(`auditRedaction run=${runId} failed: ${step.failure} The next run continues from its cursor.`);
    const reason = failureReason(step.error);
    const counts = { rowsRewritten: 0, jobsRewritten: 0, rowsScanned: 0, passes: 0 };
    emitRedactionPass(context, { runId, outcome: "failed", reason, ...counts, durationMs: Date.now() - started });
  } else if (step.outcome === "rewritten") {
    const { rowsRewritten, jobsRewritten, rowsScanned, passes, clean, stopped } = step.result;
    context.log(
      `auditRedaction run=${runId} rowsRewritten=${rowsRewritten} jobsRewritten=${jobsRewritten} rowsScanned=${rowsScanned} ` +
        `passes=${passes} complete=${clean}${stopped ? " (time budget used up; the next run continues)" : ""}`,
    );
    const counts = { rowsRewritten, jobsRewritten, rowsScanned, passes };
    const outcome = clean ? "succeeded" : "continuing";
    emitRedactionPass(context, { runId, outcome, reason: "", ...counts, durationMs: Date.now() - started });
  }
}

app.timer("auditTimer", {
  schedule: getConfig().audit.schedule,
  runOnStartup: false,
  useMonitor: true,
  handler: auditTimer,
});
