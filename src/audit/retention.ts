/**
 * Retention: deletes history older than AUDIT_RETENTION_DAYS (by the job's created time, the time in
 * its keys), in transactions of up to 100 rows, page by page, with progress. Current-state rows of
 * finished jobs that old go too, and run rows opened before the cutoff. Index rows (indexes/indexRows.ts) share the
 * history's time key and go first, so no index row outlives the history it points to.
 */
import { eventsBefore } from "./events";
import { invertedTime, runIdFloor } from "./keys";
import { type AuditLog } from "./auditLog";
import { odata, type AuditStore } from "./store";
import { purgeSummaries } from "./summaries";

export interface PurgeResult {
  cutoff: string;
  jobRows: number;
  taskRows: number;
  currentRows: number;
  runRows: number;
  /** Events feed rows observed before the cutoff. */
  eventRows: number;
  /** Daily summary rows of days wholly before the cutoff. */
  summaryRows?: number;
  /** Index rows of jobs created before the cutoff. */
  indexRows: number;
  /** The time budget ran out; the next scheduled purge continues. */
  stopped: boolean;
}

export async function purgeHistory(
  store: AuditStore,
  options: { retentionDays: number; now?: Date; log: AuditLog; timeBudgetInMs?: number },
): Promise<PurgeResult> {
  const now = options.now ?? new Date();
  const cutoffMs = now.getTime() - options.retentionDays * 86_400_000;
  const cutoff = new Date(cutoffMs).toISOString();
  const endBy = Date.now() + (options.timeBudgetInMs ?? 8 * 60_000);
  const shouldStop = (): boolean => Date.now() > endBy;
  // Older jobs have larger keys: created < cutoff is RowKey at or above the key of cutoff - 1 ms.
  const olderKey = invertedTime(cutoffMs - 1);
  const result: PurgeResult = {
    cutoff,
    jobRows: 0,
    taskRows: 0,
    currentRows: 0,
    runRows: 0,
    eventRows: 0,
    indexRows: 0,
    stopped: false,
  };
  const steps: [
    keyof PurgeResult & ("jobRows" | "taskRows" | "currentRows" | "runRows" | "eventRows" | "indexRows"),
    string,
    string,
  ][] = [
    ["indexRows", store.tables.jobIndex, odata`RowKey ge ${olderKey}`],
    ["taskRows", store.tables.tasks, odata`RowKey ge ${olderKey}`],
    ["jobRows", store.tables.jobs, odata`RowKey ge ${olderKey}`],
    ["currentRows", store.tables.current, odata`KeyTime ge ${olderKey} and Terminal eq true`],
    ["runRows", store.tables.runs, odata`PartitionKey lt ${runIdFloor(cutoffMs)}`],
    ["eventRows", store.tables.events, eventsBefore(cutoffMs)],
  ];
  for (const [field, table, filter] of steps) {
    const { deleted, stopped } = await store.deleteWhere(table, filter, {
      shouldStop,
      onProgress: (n) => {
        if (n > 0) options.log.log(`auditRetention: ${n} row(s) deleted so far from ${table} (older than ${cutoff}).`);
      },
    });
    result[field] = deleted;
    if (stopped) {
      result.stopped = true;
      break;
    }
  }
  if (!result.stopped) {
    const summaries = await purgeSummaries(store, cutoffMs, { shouldStop });
    result.summaryRows = summaries.deleted;
    result.stopped = summaries.stopped;
  }
  return result;
}
