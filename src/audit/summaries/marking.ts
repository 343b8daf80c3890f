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

/**
 * Marks printer rows and then their days' rows Dirty: a day's rows share its partition, so each day is one
 * transaction (the day row last), and a reader never sees the day row marked without its printers' rows.
 */
export async function markDirty(
  store: AuditStore,
  targets: ReadonlyMap<string, SummaryTarget>,
  touched?: Map<string, SummaryTarget>,
): Promise<void> {
  const byDay = new Map<string, Row[]>();
  for (const [key, { day, printerId }] of targets) {
    const rows = byDay.get(day) ?? [];
    rows.push({ partitionKey: dayKey(day), rowKey: printerId, Day: day, PrinterId: printerId, Dirty: true });
    byDay.set(day, rows);
    touched?.set(key, { day, printerId });
  }
  for (const [day, rows] of byDay)
    await store.mergeRows(store.tables.summaries, [
      ...rows,
      { partitionKey: dayKey(day), rowKey: dayRowKey, Day: day, Dirty: true },
    ]);
}
