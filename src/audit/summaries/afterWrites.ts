/**
 * Bringing summaries up to date after history rows were written or rewritten outside a recorder's run: the
 * index backfill, redaction and erasure (person counts come from the rewritten rows).
 */
import { odata, type AuditStore, type Row, type StoredRow } from "../store";
import { dayOfKey, dayRowKey, type SummaryTarget } from "./days";
import { markSummaries } from "./marking";
import { readDay } from "./readDay";
import { refreshSummaries } from "./refresh";

/** Recomputes printers' summaries and then their days' totals (which hold the busiest people too), now rather than on the next read. */
export async function refreshSummariesAndDays(store: AuditStore, targets: Iterable<SummaryTarget>): Promise<void> {
  const list = [...targets];
  await refreshSummaries(store, list);
  for (const day of new Set(list.map((t) => t.day))) await readDay(store, day);
}

/**
 * Recomputes every summary left Dirty (a rewrite or a run that stopped between marking and recomputing): one
 * query of the Summaries table. The privacy rewrite calls it while a rewrite is in progress, so a crash never
 * leaves a person's old identifier in a count.
 */
export async function refreshDirtySummaries(store: AuditStore): Promise<number> {
  const dirty = await store.rowsWhere(store.tables.summaries, odata`Dirty eq true`, ["PartitionKey", "RowKey", "Day"]);
  const dayOfRow = (r: StoredRow): string => String(r.Day ?? dayOfKey(String(r.partitionKey)));
  const printers = dirty
    .filter((r) => r.rowKey !== dayRowKey)
    .map((r) => ({ day: dayOfRow(r), printerId: String(r.rowKey) }));
  await refreshSummariesAndDays(store, printers);
  for (const day of new Set(dirty.filter((r) => r.rowKey === dayRowKey).map(dayOfRow))) await readDay(store, day);
  return dirty.length;
}

/**
 * Brings the summaries of rewritten or newly written history rows up to date: mark, then recompute.
 * Redaction and erasure call it with the rewritten history rows (after deleting and creating their derived rows).
 */
export async function updateSummaries(store: AuditStore, historyRows: readonly Row[]): Promise<void> {
  const touched = new Map<string, SummaryTarget>();
  await markSummaries(store, historyRows, touched);
  await refreshSummaries(store, touched.values());
}
