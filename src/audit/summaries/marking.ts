/**
 * Marking summaries Dirty: whoever writes history rows marks the summaries they count on (after the history
 * rows, before the current state moves on), printer rows first and then their days' rows, so a reader that
 * cleans a day row has seen the printer row Dirty or its new counts. A merge, so it also changes each row's
 * etag: a recompute that read the row before the mark cannot write over it.
 */
import { type AuditStore, type Row } from "../store";
import { dayKey, dayOfHistoryKey, dayRowKey, type SummaryTarget } from "./days";

/** The (day, printer) pairs some history rows count on. */
export function summaryTargets(historyRows: readonly Row[]): Map<string, SummaryTarget> {
  const targets = new Map<string, SummaryTarget>();
  for (const row of historyRows) {
    const day = dayOfHistoryKey(row.rowKey);
    targets.set(`${day}\n${row.partitionKey}`, { day, printerId: row.partitionKey });
  }
  return targets;
}

/** Marks the summaries these history rows count on as Dirty; `touched` collects them for a later recompute. */
export async function markSummaries(
  store: AuditStore,
  historyRows: readonly Row[],
  touched?: Map<string, SummaryTarget>,
): Promise<void> {
  const targets = summaryTargets(historyRows);
  if (targets.size === 0) return;
  await markDirty(store, targets, touched);
}

/** Marks printer rows and then their days' rows Dirty. */
export async function markDirty(
  store: AuditStore,
  targets: ReadonlyMap<string, SummaryTarget>,
  touched?: Map<string, SummaryTarget>,
): Promise<void> {
  for (const [key, { day, printerId }] of targets) {
    await store.mergeRow(store.tables.summaries, {
      partitionKey: dayKey(day),
      rowKey: printerId,
      Day: day,
      PrinterId: printerId,
      Dirty: true,
    });
    touched?.set(key, { day, printerId });
  }
  // The day rows after their printers' rows: a reader that cleans a day row has then seen the printer row Dirty or its new counts.
  for (const day of new Set([...targets.values()].map((t) => t.day))) {
    await store.mergeRow(store.tables.summaries, {
      partitionKey: dayKey(day),
      rowKey: dayRowKey,
      Day: day,
      Dirty: true,
    });
  }
}
