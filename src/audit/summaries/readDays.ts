/**
 * Reading a range of days in a bounded number of requests: one range query over the day partitions fetches
 * every "~day" row (or one printer's rows) of the range at once; only a day whose row is missing, Dirty or cut
 * is read on its own (readDay.ts), and that read remembers it, quiet days too. A year already summarized is one
 * query (a page per 1,000 rows, or wherever the service ends a page).
 */
import { mapLimit } from "../concurrency";
import { odata, type AuditStore, type StoredRow } from "../store";
import { dayKey, dayOfKey, dayRowKey } from "./days";
import { readDay } from "./readDay";
import { dayTotalsOf, type DayTotals } from "./summarizeDay";
import { dayTotalsOfRow, summaryOfRow } from "./summaryRows";

/** The totals of each day from `from` to `to` (UTC days, inclusive), every printer's or one printer's. */
export async function readDays(
  store: AuditStore,
  days: readonly string[],
  options: { printerId?: string; concurrency?: number } = {},
): Promise<Map<string, DayTotals>> {
  const { printerId, concurrency = 8 } = options;
  const rows = await rowsOfRange(store, days, printerId ?? dayRowKey);
  const perDay = new Map<string, DayTotals>();
  await mapLimit([...days], concurrency, async (day) => {
    const row = rows.get(day);
    if (printerId) {
      // A printer's quiet day has no row; a Dirty one is recomputed by readDay.
      if (!row) perDay.set(day, dayTotalsOf(day, []));
      else if (row.Dirty !== true) perDay.set(day, dayTotalsOf(day, [summaryOfRow(row)]));
      else perDay.set(day, await readDay(store, day, printerId));
      return;
    }
    const clean = row && row.Dirty !== true && row.PrintersCut !== true && row.UsersCut !== true;
    perDay.set(day, clean ? dayTotalsOfRow(row) : await readDay(store, day, undefined, row ?? null));
  });
  return perDay;
}

/** One RowKey's rows over the range's day partitions (newer days have smaller keys), by day. */
async function rowsOfRange(
  store: AuditStore,
  days: readonly string[],
  rowKey: string,
): Promise<Map<string, StoredRow>> {
  const keys = days.map(dayKey).sort();
  const byDay = new Map<string, StoredRow>();
  if (keys.length === 0) return byDay;
  const filter = odata`PartitionKey ge ${keys[0]!} and PartitionKey le ${keys.at(-1)!} and RowKey eq ${rowKey}`;
  for await (const row of store.scan(store.tables.summaries, filter))
    byDay.set(dayOfKey(String(row.partitionKey)), row);
  return byDay;
}
