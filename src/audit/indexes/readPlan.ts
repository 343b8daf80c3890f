/** What one read of the indexes covers: which partitions of which table, and the RowKey range in each. */
import { invertedTime } from "../keys";

/** Which partitions of which table answer a query, the RowKey range, and any filter on other columns. */
export interface ReadPlan {
  table: string;
  partitions: string[];
  /** RowKey >= low */
  low?: string;
  /** RowKey < high */
  high?: string;
  /** A filter on copied columns the partitions do not settle (e.g. state within one person's rows). */
  extra?: string;
}

/**
 * Where one partition's reading stands: not started, after a RowKey, at a RowKey, at the service's own
 * continuation (a page that stopped before any row matched a column filter), or finished.
 */
export type Cursor =
  { at: "start" } | { at: "gt" | "ge"; key: string } | { at: "service"; token: string } | { at: "done" };

export function createdRange(fromMs?: number, toMs?: number): { low?: string; high?: string } {
  // Newer jobs have smaller keys: created <= to is RowKey >= key(to); created >= from is RowKey < key(from) followed by '}'.
  return {
    ...(toMs !== undefined ? { low: invertedTime(toMs) } : {}),
    ...(fromMs !== undefined ? { high: `${invertedTime(fromMs)}}` } : {}),
  };
}
