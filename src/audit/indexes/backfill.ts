/**
 * Backfill: history recorded before the indexes existed, indexed in the background. The Jobs table is read
 * page by page (in key order), and the position saved after each page in the Runs table (PK index-backfill):
 * an interrupted backfill resumes from the last saved page, and pages read again write the same keys with
 * "create" (no duplicate). Ends with the "complete" marker, after which reads use the indexes.
 */
import { type AuditLog } from "../auditLog";
import { rowsByTable, type AuditStore, type Row, type StoredRow } from "../store";
import { updateSummaries } from "../summaries";
import { indexRows } from "./indexRows";

export const backfillPartition = "index-backfill";
export const backfillRowKey = "JobIndex";

export interface BackfillState {
  Status?: "running" | "complete";
  /** Where the scan of the Jobs table goes on (an SDK continuation token). */
  Cursor?: string;
  RowsRead?: number;
  IndexRowsWritten?: number;
  Pages?: number;
  StartedDateTime?: string;
  UpdatedDateTime?: string;
  CompletedDateTime?: string;
}

export interface BackfillResult {
  complete: boolean;
  rowsRead: number;
  indexRowsWritten: number;
  pages: number;
}

const completeStores = new WeakMap<AuditStore, true>();

/** Whether the backfill finished: once it has, the indexes hold every history row (the recorder indexes new ones). */
export async function isIndexComplete(store: AuditStore): Promise<boolean> {
  if (completeStores.has(store)) return true;
  const row = await store.getRow(store.tables.runs, backfillPartition, backfillRowKey);
  const complete = row?.Status === "complete";
  if (complete) completeStores.set(store, true);
  return complete;
}

/**
 * A new installation has no history to index: its first audit run marks the indexes complete at once, so
 * reads come in the documented order from the first recorded job (an existing audit waits for the backfill).
 */
export async function completeIndexesOfNewAudit(store: AuditStore, log: AuditLog): Promise<boolean> {
  if (await isIndexComplete(store)) return true;
  if ((await store.queryPage(store.tables.jobs, undefined, 1)).rows.length > 0) return false;
  // Rows recorded meanwhile already have their index rows: the backfill writes the same keys again, with "create".
  return (await backfillIndexes(store, { log })).complete;
}

/**
 * Indexes the Jobs table from where the last run stopped, page by page, until it is done or asked to stop;
 * the daily summaries of the days it reads are recomputed from the history too.
 */
export async function backfillIndexes(
  store: AuditStore,
  options: { log: AuditLog; shouldStop?: () => boolean; pageSize?: number; now?: () => Date },
): Promise<BackfillResult> {
  const now = options.now ?? (() => new Date());
  const saved = (await store.getRow(store.tables.runs, backfillPartition, backfillRowKey)) as
    (BackfillState & StoredRow) | undefined;
  const result: BackfillResult = { complete: saved?.Status === "complete", rowsRead: 0, indexRowsWritten: 0, pages: 0 };
  if (result.complete) return result;
  const state = await startOrResume(store, saved, now, options.log);
  while (!options.shouldStop?.()) {
    const page = await store.queryPage(store.tables.jobs, undefined, options.pageSize ?? 1000, state.Cursor);
    const written = await indexPage(store, page.rows as Row[]);
    result.rowsRead += page.rows.length;
    result.indexRowsWritten += written;
    result.pages++;
    state.RowsRead! += page.rows.length;
    state.IndexRowsWritten! += written;
    state.Pages! += 1;
    state.Cursor = page.continuationToken ?? "";
    if (!page.continuationToken) {
      state.Status = "complete";
      state.CompletedDateTime = now().toISOString();
    }
    await saveState(store, state, now);
    options.log.log(
      `auditIndexBackfill: ${state.RowsRead} history row(s) indexed so far (${state.IndexRowsWritten} index row(s) written)${state.Status === "complete" ? "; the indexes are complete" : ""}.`,
    );
    if (state.Status === "complete") {
      result.complete = true;
      completeStores.set(store, true);
      break;
    }
  }
  return result;
}

/** The state a backfill goes on from: the saved one, or a new one (saved at once). */
async function startOrResume(
  store: AuditStore,
  saved: BackfillState | undefined,
  now: () => Date,
  log: AuditLog,
): Promise<BackfillState> {
  const state: BackfillState = {
    Status: "running",
    Cursor: saved?.Cursor,
    RowsRead: Number(saved?.RowsRead ?? 0),
    IndexRowsWritten: Number(saved?.IndexRowsWritten ?? 0),
    Pages: Number(saved?.Pages ?? 0),
    StartedDateTime: saved?.StartedDateTime ?? now().toISOString(),
  };
  if (!saved) await saveState(store, state, now);
  else if (state.Cursor) log.log(`auditIndexBackfill: resuming after ${state.RowsRead} history row(s).`);
  return state;
}

async function saveState(store: AuditStore, state: BackfillState, now: () => Date): Promise<void> {
  await store.mergeRow(store.tables.runs, {
    partitionKey: backfillPartition,
    rowKey: backfillRowKey,
    ...state,
    UpdatedDateTime: now().toISOString(),
  });
}

/** Writes the index rows of a page of history rows; returns how many were new. */
async function indexPage(store: AuditStore, historyRows: Row[]): Promise<number> {
  const byTable = rowsByTable(historyRows.flatMap((row) => indexRows(store.tables, row, "job")));
  let written = 0;
  for (const [table, rows] of byTable) written += (await store.createRows(table, rows)).rows;
  // The daily summaries of those days and printers are recomputed from the history too (idempotent), so the viewer shows older days.
  await updateSummaries(store, historyRows);
  return written;
}
