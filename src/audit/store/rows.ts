/** What the store reads and writes: rows of the audit tables, and the writes it can make of them. */
import { type TableEntity, type TableEntityResult } from "@azure/data-tables";

export type Row = TableEntity<Record<string, unknown>>;
export type StoredRow = TableEntityResult<Record<string, unknown>>;

/** A row and the table it goes to. */
export interface TableRow {
  table: string;
  row: Row;
}

/** Rows grouped by their table, each table's rows in the order given. */
export function rowsByTable(rows: readonly TableRow[]): Map<string, Row[]> {
  const byTable = new Map<string, Row[]>();
  for (const { table, row } of rows) {
    const list = byTable.get(table) ?? [];
    list.push(row);
    byTable.set(table, list);
  }
  return byTable;
}

/** One page of a query as the service cut it, and where the next one starts. */
export interface RowPage {
  rows: StoredRow[];
  continuationToken?: string;
}

/**
 * One write of one row, as the store commits it: created (never over a row already recorded), merged into
 * (created if missing), put (replacing whatever is there), replaced under the etag it was read with, or deleted
 * (under an etag, or whatever is there).
 */
export type RowWrite =
  | { op: "create"; row: Row }
  | { op: "merge"; row: Row }
  | { op: "put"; row: Row }
  | { op: "replace"; row: Row; etag: string }
  | { op: "delete"; key: { partitionKey: string; rowKey: string }; etag?: string };

/** Commits writes to one table: a list is one entity-group transaction (one partition), a single write one call. */
export type Commit = (write: RowWrite | readonly RowWrite[]) => Promise<void>;

/** The keys a write touches. */
export function keysOf(write: RowWrite): { partitionKey: string; rowKey: string } {
  return write.op === "delete" ? write.key : write.row;
}
