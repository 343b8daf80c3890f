/**
 * Rows derived from history rows: the read indexes and the events feed. Each is a pure function of one
 * history row (deterministic keys), so the recorder writes them with the history and before the current
 * state (a crash in between is completed by the next run, with no duplicate), and retention, redaction,
 * erasure and backfills can recompute them from the history row they came from.
 */
import { eventRows } from "./events";
import { indexRows } from "./indexes";
import { type AuditTableNames } from "./keys";
import { type Row } from "./store";

export interface DerivedRow {
  table: string;
  row: Row;
}

export type HistoryKind = "job" | "task";

/** Every row derived from one job history row or task history row, in every derived table. */
export function derivedRows(tables: AuditTableNames, historyRow: Row, kind: HistoryKind): DerivedRow[] {
  return [...eventRows(tables, historyRow, kind), ...indexRows(tables, historyRow, kind)];
}

/** The derived rows of many history rows, by table. */
export function derivedRowsByTable(
  tables: AuditTableNames,
  rows: readonly { row: Row; kind: HistoryKind }[],
): Map<string, Row[]> {
  const byTable = new Map<string, Row[]>();
  for (const { row, kind } of rows) {
    for (const derived of derivedRows(tables, row, kind)) {
      const list = byTable.get(derived.table) ?? [];
      list.push(derived.row);
      byTable.set(derived.table, list);
    }
  }
  return byTable;
}
