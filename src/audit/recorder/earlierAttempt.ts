/**
 * Completing an earlier attempt: an earlier attempt of this run may have written history rows and stopped before
 * their derived rows (indexes, events) or summaries; if the job changed again since, this attempt records a new
 * state and never meets those rows. So a retried delivery first derives the rows of every history row its run
 * wrote (one query per table, in this printer's partition); keys are deterministic and written with "create",
 * so what exists already stays as it is.
 */
import { markSummaries } from "../summaries";
import { odata, type Row } from "../store";
import { writeDerived } from "./historyWrites";
import { type PrinterRun } from "./printerRun";

export async function completeEarlierAttempt(run: PrinterRun): Promise<void> {
  const { store, printerId, runId } = run;
  const filter = odata`PartitionKey eq ${printerId} and RunId eq ${runId}`;
  const [jobs, tasks] = await Promise.all([
    store.rowsWhere(store.tables.jobs, filter),
    store.rowsWhere(store.tables.tasks, filter),
  ]);
  if (jobs.length + tasks.length === 0) return;
  await writeDerived(store, [
    ...jobs.map((row) => ({ row: row as Row, kind: "job" as const })),
    ...tasks.map((row) => ({ row: row as Row, kind: "task" as const })),
  ]);
  await markSummaries(store, jobs as Row[], run.summaries);
}
