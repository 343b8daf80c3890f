/**
 * Writing what a run observed (up to 1,000 jobs at once, observationBuffer.ts), in the order that makes a crash
 * harmless: history rows (jobs, then tasks), the rows derived from them (indexes, events), the daily summaries
 * marked Dirty, and the current state last. A crash before the last step leaves the current state behind, so the next run records the same
 * observation under the same keys.
 */
import { mapLimit } from "../concurrency";
import { derivedRowsByTable } from "../derived";
import { markSummaries, type SummaryTarget } from "../summaries";
import { type AuditStore, type Row } from "../store";
import { type StepCounts } from "./printerRun";
import { DerivedRowsPendingError } from "../../errors";
import { type CommittedRow, type PrinterEvidence } from "../integrity";

/**
 * A fault-injection point for tests (crash between the history writes and the current-state writes).
 * Unset in the app.
 */
export const auditFaultPoints: { beforeCurrentStateWrite?: (printerId: string) => void | Promise<void> } = {};

export interface Observations {
  jobRows: Row[];
  taskRows: Row[];
  currentRows: { row: Row; etag?: string }[];
}

/** Writes a batch's observations; returns the history rows written (a replay's rows recorded before are not counted). */
export async function writeObservations(
  { jobRows, taskRows, currentRows }: Observations,
  run: { store: AuditStore; printerId: string; summaries: Map<string, SummaryTarget>; integrity?: PrinterEvidence },
): Promise<StepCounts> {
  const { store, printerId } = run;
  let written: StepCounts;
  try {
    written = await writeHistoryAndDerived(store, jobRows, taskRows, run);
  } catch (error) {
    throw new DerivedRowsPendingError({ cause: error });
  }
  await markSummaries(store, jobRows, run.summaries);
  if (currentRows.length > 0) await auditFaultPoints.beforeCurrentStateWrite?.(printerId);
  await store.writeCurrent(currentRows);
  return written;
}

async function writeHistoryAndDerived(
  store: AuditStore,
  jobRows: Row[],
  taskRows: Row[],
  { integrity }: { integrity?: PrinterEvidence },
): Promise<StepCounts> {
  if (jobRows.length + taskRows.length > 0) await integrity?.beforeHistory();
  // The rows this attempt created, as committed, are digested; rows recorded already are the attempt's that wrote them.
  const committed: CommittedRow[] = [];
  const jobWrite = await store.createRows(store.tables.jobs, jobRows, {
    created: (rows) => committed.push(...rows.map((row) => ({ table: "jobs" as const, row }))),
  });
  const taskWrite = await store.createRows(store.tables.tasks, taskRows, {
    created: (rows) => committed.push(...rows.map((row) => ({ table: "tasks" as const, row }))),
  });
  await integrity?.seal(committed);
  // Index and event rows follow the history they derive from and precede the current state, like the history.
  // A history row recorded before (a replay) is derived as stored: its observation time, not this attempt's.
  const [recordedJobs, recordedTasks] = await Promise.all([
    asRecorded(store, store.tables.jobs, jobRows, jobWrite.existing),
    asRecorded(store, store.tables.tasks, taskRows, taskWrite.existing),
  ]);
  await writeDerived(store, [
    ...recordedJobs.map((row) => ({ row, kind: "job" as const })),
    ...recordedTasks.map((row) => ({ row, kind: "task" as const })),
  ]);
  return { changesWritten: jobWrite.rows, taskRowsWritten: taskWrite.rows };
}

/** Writes the rows derived from history rows, table by table ("create": a row derived before stays as it is). */
export async function writeDerived(
  store: AuditStore,
  historyRows: readonly { row: Row; kind: "job" | "task" }[],
): Promise<void> {
  for (const [table, rows] of derivedRowsByTable(store.tables, historyRows)) await store.createRows(table, rows);
}

/** The history rows as recorded: rows that existed already are read back, so what derives from them matches the stored row. */
async function asRecorded(store: AuditStore, table: string, rows: Row[], existing: Row[] | undefined): Promise<Row[]> {
  if (!existing || existing.length === 0) return rows;
  const stored = new Map<string, Row>();
  await mapLimit(existing, 8, async (row) => {
    const found = await store.getRow(table, row.partitionKey, row.rowKey);
    if (found) stored.set(`${row.partitionKey}\n${row.rowKey}`, found as Row);
  });
  return rows.map((row) => stored.get(`${row.partitionKey}\n${row.rowKey}`) ?? row);
}
