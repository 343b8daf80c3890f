/**
 * Rows derived from history rows: the read indexes and the events feed. Each is a pure function of one
 * history row (deterministic keys), so the recorder writes them with the history and before the current
 * state (a crash in between is completed by the next run, with no duplicate), and retention, redaction,
 * erasure and backfills can recompute them from the history row they came from.
 */
import { eventRows } from "./events";
import { indexRows } from "./indexes";
import { type AuditTableNames, type HistoryKind } from "./keys";
import { rowsByTable, type Row, type TableRow } from "./store";

/** A row derived from a history row, and the table it goes to. */
export type DerivedRow = TableRow;

/** Every row derived from one job history row or task history row, in every derived table. */
export function derivedRows(tables: AuditTableNames, historyRow: Row, kind: HistoryKind): DerivedRow[] {
  return [...eventRows(tables, historyRow, kind), ...indexRows(tables, historyRow, kind)];
}

/** The derived rows of many history rows, by table. */
export function derivedRowsByTable(
  tables: AuditTableNames,
  rows: readonly { row: Row; kind: HistoryKind }[],
): Map<string, Row[]> {
  return rowsByTable(rows.flatMap(({ row, kind }) => derivedRows(tables, row, kind)));
}
