/** A page of the read API from a stream of rows: up to `top` rows, or jobs (their latest state) with latest=true. */
import { type StoredRow } from "../store";
import { keyTimeLength } from "./indexRows";

/** A stream of rows a page is read from. */
export interface RowReader {
  /** Looking ahead one row may cost a scan: then a page ends without it. */
  readonly peekCostly?: boolean;
  peek(want: number): Promise<StoredRow | undefined>;
  take(want: number): Promise<StoredRow | undefined>;
  token(): string | undefined;
  queries: number;
}

/** One job of a merged stream: rows of a job are adjacent (same time, printer and job at the start of the key). */
export function jobGroupKey(row: StoredRow): string {
  return `${String(row.rowKey ?? "").slice(0, keyTimeLength)}\n${String(row.PrinterId ?? row.partitionKey)}\n${String(row.JobId ?? "")}`;
}

/** The latest recorded state of a job: the highest sequence, then the latest observation. */
export function isLater(a: StoredRow, b: StoredRow): boolean {
  const seq = Number(a.Sequence ?? 0) - Number(b.Sequence ?? 0);
  if (seq !== 0) return seq > 0;
  return String(a.ObservedDateTime ?? "") >= String(b.ObservedDateTime ?? "");
}

export interface IndexedPage {
  rows: StoredRow[];
  continuationToken?: string;
  queries: number;
}

/**
 * Up to `top` rows (or jobs, with `latest`) in index order, read until the page is full, the partitions
 * are read, or the deadline passes with at least one row (a page is empty only when nothing is left, or
 * when the deadline passed before any row matched).
 */
export async function readPage(
  reader: RowReader,
  options: { top: number; latest?: boolean; deadline?: number },
): Promise<IndexedPage> {
  const rows: StoredRow[] = [];
  const overdue = (): boolean => options.deadline !== undefined && Date.now() > options.deadline;
  while (rows.length < options.top) {
    const remaining = options.top - rows.length;
    const row = options.latest ? await takeLatestOfJob(reader, remaining) : await reader.take(remaining);
    if (!row) break;
    rows.push(row);
    if (overdue()) break;
  }
  // On the indexes a token only when a row follows: the next page is never empty.
  const ended = rows.length < options.top && !overdue();
  const more = ended ? false : reader.peekCostly ? true : (await reader.peek(1)) !== undefined;
  const token = more ? reader.token() : undefined;
  return { rows, ...(token ? { continuationToken: token } : {}), queries: reader.queries };
}

/** Takes every row of the next job and returns its latest state. */
async function takeLatestOfJob(reader: RowReader, want: number): Promise<StoredRow | undefined> {
  let best = await reader.take(want);
  if (!best) return undefined;
  const group = jobGroupKey(best);
  for (;;) {
    const next = await reader.peek(want);
    if (!next || jobGroupKey(next) !== group) break;
    await reader.take(want);
    if (isLater(next, best)) best = next;
  }
  return best;
}
