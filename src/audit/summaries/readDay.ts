/**
 * Reading a day: its "~day" row, which adds up its printers' rows (per printer, and per person), so a month
 * across 200 printers is 30 rows to read. It is a cache: marked Dirty (after the printer row) whenever a
 * printer row of its day is marked, and written back clean by a reader only under the etag it read first and
 * only when no printer row of the day was Dirty, so it never holds counts older than its printers' rows.
 */
import { odata, type AuditStore, type StoredRow } from "../store";
import { dayKey, dayOf, dayRowKey } from "./days";
import { getSummaryRow, refreshSummary } from "./refresh";
import { dayTotalsOf, type DaySummary, type DayTotals } from "./summarizeDay";
import { dayTotalsOfRow, dayTotalsRow, summaryOfRow } from "./summaryRows";

/**
 * The summary rows of one day (one printer's, or every printer's), repairing any left Dirty. `known` is the
 * day's "~day" row when the caller read it already (null: read, and there is none).
 */
export async function readDay(
  store: AuditStore,
  day: string,
  printerId?: string,
  known?: StoredRow | null,
): Promise<DayTotals> {
  let cached: StoredRow | undefined;
  if (!printerId) {
    cached = known === undefined ? await getSummaryRow(store, day, dayRowKey) : (known ?? undefined);
    // A day too big for its row (thousands of printers or people) is added up from its printers' rows instead.
    if (cached && cached.Dirty !== true && cached.PrintersCut !== true && cached.UsersCut !== true)
      return dayTotalsOfRow(cached);
  }
  const { summaries, dirty } = await readPrinterRows(store, day, printerId);
  for (const id of dirty) {
    const repaired = await refreshSummary(store, day, id);
    if (repaired) summaries.push(repaired);
  }
  const totals = dayTotalsOf(
    day,
    summaries.sort((a, b) => (a.printerId < b.printerId ? -1 : 1)),
  );
  // Cache the day only from printer rows that were all clean when read, under the etag read before them; a past
  // day without jobs is remembered too (a zero row), so a year of quiet days is not read again day by day.
  const past = day < dayOf(Date.now());
  if (!printerId && dirty.length === 0 && (summaries.length > 0 || past)) await cacheDay(store, totals, cached);
  return totals;
}

/** The printer rows of a day (or one printer's): the clean ones as summaries, the Dirty ones by printer id. */
async function readPrinterRows(
  store: AuditStore,
  day: string,
  printerId: string | undefined,
): Promise<{ summaries: DaySummary[]; dirty: string[] }> {
  const filter = printerId
    ? odata`PartitionKey eq ${dayKey(day)} and RowKey eq ${printerId}`
    : odata`PartitionKey eq ${dayKey(day)} and RowKey ne ${dayRowKey}`;
  const summaries: DaySummary[] = [];
  const dirty: string[] = [];
  for await (const row of store.scan(store.tables.summaries, filter)) {
    if (row.Dirty === true) dirty.push(String(row.rowKey));
    else summaries.push(summaryOfRow(row));
  }
  return { summaries, dirty };
}

/** Writes the day row back clean, unless it was marked (or created) since it was read. */
async function cacheDay(store: AuditStore, totals: DayTotals, cached: StoredRow | undefined): Promise<void> {
  // Refused when another writer got there first: the day stays as they left it.
  if (cached) await store.replaceRow(store.tables.summaries, dayTotalsRow(totals), cached.etag);
  else await store.createRow(store.tables.summaries, dayTotalsRow(totals));
}
