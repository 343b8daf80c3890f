/**
 * The audit timer's redaction step: rows recorded under a laxer policy, an older key or of an erased person
 * are rewritten, and the step's progress and outcome go to the run's "redaction" row (runs.ts).
 */
import { type AuditLog } from "./auditLog";
import { type PrivacyPolicy } from "./privacy";
import { describeFailure } from "./recorder";
import { runRedaction, type RedactionResult } from "./redaction";
import { recordRedactionRun } from "./runs";
import { type AuditStore } from "./store";

/** What the step did: nothing to rewrite, a pass (complete or to be continued), or a failure to report. */
export type RedactionStep =
  | { outcome: "clean" }
  | { outcome: "rewritten"; result: RedactionResult }
  | { outcome: "failed"; failure: string; error: unknown };

/** Runs the redaction pass for a run; a failure is recorded on the run's row and returned, not thrown. */
export async function redactForRun(
  store: AuditStore,
  runId: string,
  privacy: PrivacyPolicy,
  log: AuditLog,
): Promise<RedactionStep> {
  const startedAt = new Date().toISOString();
  let recorded = false;
  try {
    const result = await runRedaction(store, privacy, {
      log,
      onProgress: async (progress) => {
        // A pass that finds nothing to rewrite leaves the run's rows as they are.
        if (progress.rowsRewritten === 0) return;
        recorded = true;
        await recordRedactionRun(store, runId, {
          Status: "running",
          StartedDateTime: startedAt,
          RowsRewritten: progress.rowsRewritten,
          JobsRewritten: progress.jobsRewritten,
          RowsScanned: progress.rowsScanned,
        });
      },
    });
    if (!recorded && result.clean) return { outcome: "clean" };
    await recordRedactionRun(store, runId, {
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
    return { outcome: "rewritten", result };
  } catch (error) {
    const failure = describeFailure(error);
    await recordRedactionRun(store, runId, {
      Status: "failed",
      EndedDateTime: new Date().toISOString(),
      LastError: failure,
    }).catch(() => undefined);
    return { outcome: "failed", failure, error };
  }
}
