/**
 * Recomputing summaries: a row is never incremented; it is recomputed from the history rows it counts (the
 * printer's Jobs partition, the day's RowKey range), so a re-delivered message, a replay after a crash and
 * two runs at once all give the same counts. A Dirty row is recomputed and written back only if its etag is
 * still the one read before the history was read; a mark in between fails that write and the row is computed
 * again. A row left Dirty by a crash is recomputed by the next run that records that day and printer, or by
 * the first read (readDay.ts).
 */
import { mapLimit } from "../concurrency";
import { odata, type AuditStore, type StoredRow } from "../store";
import { dayKey, dayRange, type SummaryTarget } from "./days";
import { summarizeHistory, type DaySummary } from "./summarizeDay";
import { summaryOfRow, summaryRow } from "./summaryRows";

/** Columns a recompute reads from the history. */
const historyColumns = [
  "RowKey",
  "JobId",
  "JobState",
  "Sequence",
  "ObservedDateTime",
  "CreatedBy",
  "CreatedById",
  "PrinterName",
];
const maxAttempts = 8;

/** Every history row of one printer created on one UTC day (the columns a summary needs). */
async function historyOfDay(store: AuditStore, day: string, printerId: string): Promise<StoredRow[]> {
  const { ge, lt } = dayRange(day);
  const filter = odata`PartitionKey eq ${printerId} and RowKey ge ${ge} and RowKey lt ${lt}`;
  return store.rowsWhere(store.tables.jobs, filter, historyColumns);
}

/** One day's summary row of a printer, or its "~day" row. */
export async function getSummaryRow(store: AuditStore, day: string, printerId: string): Promise<StoredRow | undefined> {
  return store.getRow(store.tables.summaries, dayKey(day), printerId);
}

/**
 * Recomputes one day and printer from the history if it is Dirty (or missing), writing it
 * back only under the etag read before the history was read. Returns the summary as stored, or undefined
 * when other writers kept moving it (it stays Dirty, and the next reader or run computes it).
 */
export async function refreshSummary(
  store: AuditStore,
  day: string,
  printerId: string,
): Promise<DaySummary | undefined> {
  const summaries = store.tables.summaries;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const existing = await getSummaryRow(store, day, printerId);
    if (existing && existing.Dirty !== true) return summaryOfRow(existing);
    const history = await historyOfDay(store, day, printerId);
    if (history.length === 0 && !existing) return undefined;
    const row = summaryRow(summarizeHistory(day, printerId, history));
    // A write refused (another writer got there first) reads and computes again.
    if (history.length === 0) {
      // Nothing left to count (retention or erasure took it): the row goes.
      if (await store.deleteRow(summaries, row, existing!.etag)) return undefined;
      continue;
    }
    const written = existing
      ? await store.replaceRow(summaries, row, existing.etag)
      : await store.createRow(summaries, row);
    if (written) return summaryOfRow(row);
  }
  return undefined;
}

/** Recomputes several summaries, a few at a time. */
export async function refreshSummaries(
  store: AuditStore,
  targets: Iterable<SummaryTarget>,
  concurrency = 4,
): Promise<void> {
  await mapLimit([...targets], concurrency, ({ day, printerId }) => refreshSummary(store, day, printerId));
}
