/**
 * The event row of a job history row, and its keys:
 *
 *   Events   PK = <yyyyMMddHH of ObservedDateTime>   RK = <observed yyyyMMddTHHmmssfffZ>|<printerId>|<history RowKey>
 *
 * The RowKey starts with the observation time and the PartitionKey is that time's hour, so RowKey order is
 * the feed's order across partitions, and a replay derives the same key from the same history row.
 */
import { runIdFloor, type AuditTableNames, type HistoryKind } from "../keys";
import { jobColumns } from "../snapshot";
import { odata, type Row, type TableRow } from "../store";

/** An instant as it leads an event RowKey (the run id's form): 20261129T194337123Z. */
export function eventTimeKey(ms: number): string {
  return runIdFloor(ms);
}

export function partitionOf(timeKey: string): string {
  return `${timeKey.slice(0, 8)}${timeKey.slice(9, 11)}`;
}

/** The retention filter: events observed in hours wholly before the cutoff (the history they came from is older still). */
export function eventsBefore(cutoffMs: number): string {
  return odata`PartitionKey lt ${partitionOf(eventTimeKey(cutoffMs))}`;
}

/** The event row of a job history row (tasks have none: a task change is also a new job history row). */
export function eventRows(tables: AuditTableNames, historyRow: Row, kind: HistoryKind): TableRow[] {
  if (kind !== "job") return [];
  const observed = Date.parse(String(historyRow.ObservedDateTime ?? ""));
  const printerId = String(historyRow.PrinterId ?? historyRow.partitionKey);
  if (!Number.isFinite(observed)) return [];
  const timeKey = eventTimeKey(observed);
  const row: Row = { partitionKey: partitionOf(timeKey), rowKey: `${timeKey}|${printerId}|${historyRow.rowKey}` };
  for (const column of jobColumns)
    if (historyRow[column] !== undefined && historyRow[column] !== null) row[column] = historyRow[column];
  return [{ table: tables.events, row }];
}
