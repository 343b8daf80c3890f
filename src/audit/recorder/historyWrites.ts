/**
 * Writing what a batch of jobs observed, in the order that makes a crash harmless: history rows (jobs, then
 * tasks), the rows derived from them (indexes, events), the daily summaries marked Dirty, and the current
 * state last. A crash before the last step leaves the current state behind, so the next run records the same
 * observation under the same keys.
 */
import { mapLimit } from "../concurrency";
import { derivedRowsByTable } from "../derived";
import { markSummaries, type SummaryTarget } from "../summaries";
import { type AuditStore, type Row } from "../store";
import { markDerivedPending } from "./failures";
import { type AuditResult, type Observations } from "./printerRun";

/**
 * A fault-injection point for tests (crash between the history writes and the current-state writes).
 * Unset in the app.
 */
export const auditFaultPoints: { beforeCurrentStateWrite?: (printerId: string) => void | Promise<void> } = {};

/** Jobs a printer's run gathers before it writes (about 10 rows a job): full transactions, bounded memory. */
export const maxBufferedJobs = 1000;

export function noObservations(): Observations {
  return { jobRows: [], taskRows: [], currentRows: [] };
}

type RunWrites = Parameters<typeof writeObservations>[1] & { pending: Observations };

/**
 * Gathers a batch's observations across the printer's pages, so each partition is written in few, full
 * transactions. The buffer is written first when a job in the batch is in it already (a job is written once
 * per write), and after the batch when it holds maxBufferedJobs jobs.
 */
export async function bufferObservations(observations: Observations, run: RunWrites): Promise<void> {
  const buffered = new Set(run.pending.currentRows.map((c) => c.row.rowKey));
  if (observations.currentRows.some((c) => buffered.has(c.row.rowKey))) await flushObservations(run);
  run.pending.jobRows.push(...observations.jobRows);
  run.pending.taskRows.push(...observations.taskRows);
  run.pending.currentRows.push(...observations.currentRows);
  if (run.pending.currentRows.length >= maxBufferedJobs) await flushObservations(run);
}

/** Writes what the run gathered, in the order that makes a crash harmless (writeObservations). */
export async function flushObservations(run: RunWrites): Promise<void> {
  const pending = run.pending;
  run.pending = noObservations();
  if (pending.jobRows.length + pending.taskRows.length + pending.currentRows.length === 0) return;
  await writeObservations(pending, run);
}

export async function writeObservations(
  { jobRows, taskRows, currentRows }: Observations,
  run: { store: AuditStore; printerId: string; result: AuditResult; summaries: Map<string, SummaryTarget> },
): Promise<void> {
  const { store, printerId } = run;
  try {
    await writeHistoryAndDerived(store, jobRows, taskRows, run.result);
  } catch (error) {
    markDerivedPending(error);
    throw error;
  }
  await markSummaries(store, jobRows, run.summaries);
  if (currentRows.length > 0) await auditFaultPoints.beforeCurrentStateWrite?.(printerId);
  await store.writeCurrent(currentRows);
}

async function writeHistoryAndDerived(
  store: AuditStore,
  jobRows: Row[],
  taskRows: Row[],
  result: AuditResult,
): Promise<void> {
  const jobWrite = await store.createRows(store.tables.jobs, jobRows);
  const taskWrite = await store.createRows(store.tables.tasks, taskRows);
  result.changesWritten += jobWrite.rows;
  result.taskRowsWritten += taskWrite.rows;
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
