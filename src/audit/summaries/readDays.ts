/**
 * Reading a range of days in a bounded number of requests, however many days are quiet: one range query over
 * the day partitions fetches every "~day" row of the range; a second fetches the printers' rows of the days
 * whose "~day" row is missing, Dirty or cut (quiet days have none: they cost nothing). A day is then added up
 * and its "~day" row written back as readDay.ts does. One printer's range is one query of its rows.
 */
import { mapLimit } from "../concurrency";
import { odata, type AuditStore, type StoredRow } from "../store";
import { dayKey, dayOfKey, dayRowKey } from "./days";
import { readDay } from "./readDay";
import { dayTotalsOf, type DayTotals } from "./summarizeDay";
import { dayTotalsOfRow, summaryOfRow } from "./summaryRows";

const isClean = (row: StoredRow | undefined): row is StoredRow =>
  row !== undefined && row.Dirty !== true && row.PrintersCut !== true && row.UsersCut !== true;

/** The totals of each of `days` (UTC days), every printer's or one printer's. */
export async function readDays(
  store: AuditStore,
  days: readonly string[],
  options: { printerId?: string; concurrency?: number } = {},
): Promise<Map<string, DayTotals>> {
  const { printerId, concurrency = 8 } = options;
  const perDay = new Map<string, DayTotals>();
  if (printerId) {
    const rows = await rowsOfRange(store, days, odata`RowKey eq ${printerId}`);
    await mapLimit([...days], concurrency, async (day) => {
      // A printer's quiet day has no row; a Dirty one is recomputed by readDay.
      const row = rows.get(day)?.[0];
      if (row?.Dirty === true) perDay.set(day, await readDay(store, day, printerId));
      else perDay.set(day, dayTotalsOf(day, row ? [summaryOfRow(row)] : []));
    });
    return perDay;
  }
  const dayRows = await rowsOfRange(store, days, odata`RowKey eq ${dayRowKey}`);
  const uncached = days.filter((day) => !isClean(dayRows.get(day)?.[0]));
  const printerRows = await rowsOfRange(store, uncached, odata`RowKey ne ${dayRowKey}`);
  await mapLimit([...days], concurrency, async (day) => {
    const dayRow = dayRows.get(day)?.[0];
    if (isClean(dayRow)) perDay.set(day, dayTotalsOfRow(dayRow));
    else
      perDay.set(
        day,
        await readDay(store, day, undefined, { dayRow: dayRow ?? null, printerRows: printerRows.get(day) ?? [] }),
      );
  });
  return perDay;
}

/** The rows a RowKey filter selects over the day partitions from the first of `days` to the last, by day. */
async function rowsOfRange(
  store: AuditStore,
  days: readonly string[],
  rowFilter: string,
): Promise<Map<string, StoredRow[]>> {
  const wanted = new Set(days);
  const keys = days.map(dayKey).sort();
  const byDay = new Map<string, StoredRow[]>();
  if (keys.length === 0) return byDay;
  const filter = `${odata`PartitionKey ge ${keys[0]!} and PartitionKey le ${keys.at(-1)!}`} and ${rowFilter}`;
  for await (const row of store.scan(store.tables.summaries, filter)) {
    const day = dayOfKey(String(row.partitionKey));
    if (!wanted.has(day)) continue;
    const list = byDay.get(day) ?? [];
    list.push(row);
    byDay.set(day, list);
  }
  return byDay;
}
