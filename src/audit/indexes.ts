/**
 * The read indexes: for each job history row, rows in the JobIndex table that let the read API answer a
 * question from the question's own partitions, each with a RowKey range.
 *
 *   u|<CreatedBy>           one person's jobs, by user principal name (or its pseudonym), all printers
 *   i|<CreatedById>         the same, by user id (or its pseudonym)
 *   c|<bucket>              every job, all printers (a created-time range is a RowKey range)
 *   s|<JobState>            every history row in one state, all printers (one partition: one query)
 *
 * RowKey: <keyTime>|<printerId>|<jobId>|<sequence>|<fingerprint>: newest job first across printers, then
 * printer and job, then each job's states oldest first. bucket (0-7) is a hash of printer and job, so one
 * day's writes to c| spread over eight partitions and every row of one job sits in the same partition. Index rows
 * copy the history row's columns, so a query reads only the rows it returns. Every key is computed from the
 * history row alone (its keys, JobState, CreatedBy, CreatedById), so a replay, a backfill or a redaction
 * recomputes the same keys. Under AUDIT_REDACT_USERS=omit there is no user column, so no person rows.
 */
import { createHash } from "node:crypto";
import { odata } from "@azure/data-tables";
import { type DerivedRow, type HistoryKind } from "./derived";
import { invertedTime, isValidKey, keyPart, type AuditTableNames } from "./keys";
import { type AuditLog } from "./recorder";
import { isContinuationToken, type AuditStore, type Row, type StoredRow } from "./store";
import { updateSummaries } from "./summaries";
import { InputError } from "../errors";

export const indexBuckets = 8;
const keyTimeLength = 13;

/** The bucket of one job (0-7): the same for every row of the job. */
export function jobBucket(printerId: string, jobKey: string): number {
  return createHash("sha256").update(`${printerId}|${jobKey}`).digest()[0]! % indexBuckets;
}

export const userPartition = (upn: string): string => `u|${keyPart(upn)}`;
export const userIdPartition = (id: string): string => `i|${keyPart(id)}`;
export const createdPartition = (bucket: number): string => `c|${bucket}`;
// One partition per state, not bucketed: a state question is one query, and a first run writes a job's rows into fewer partitions.
export const statePartition = (state: string): string => `s|${keyPart(state)}`;

/** The index RowKey of a job history row: its printer goes after the time, so rows of every printer interleave by time. */
export function indexRowKey(printerId: string, historyRowKey: string): string {
  return `${historyRowKey.slice(0, keyTimeLength)}|${printerId}${historyRowKey.slice(keyTimeLength)}`;
}

/** The index rows of one history row (none for task rows: the read API lists job states). */
export function indexRows(tables: AuditTableNames, historyRow: Row, kind: HistoryKind): DerivedRow[] {
  if (kind !== "job") return [];
  const {
    partitionKey: printerId,
    rowKey,
    etag: _etag,
    timestamp: _timestamp,
    ...columns
  } = historyRow as Row & { etag?: unknown; timestamp?: unknown };
  const jobKey = rowKey.split("|")[1] ?? "";
  const bucket = jobBucket(printerId, jobKey);
  const indexKey = indexRowKey(printerId, rowKey);
  const partitions = [createdPartition(bucket)];
  if (typeof columns.JobState === "string" && columns.JobState.length > 0)
    partitions.push(statePartition(columns.JobState));
  if (typeof columns.CreatedBy === "string" && columns.CreatedBy.length > 0)
    partitions.push(userPartition(columns.CreatedBy));
  if (typeof columns.CreatedById === "string" && columns.CreatedById.length > 0)
    partitions.push(userIdPartition(columns.CreatedById));
  return partitions
    .filter((pk) => isValidKey(pk) && isValidKey(indexKey))
    .map((partitionKey) => ({ table: tables.jobIndex, row: { ...columns, partitionKey, rowKey: indexKey } }));
}

// ---------------------------------------------------------------------------------------------------
// Reading: a k-way merge over the partitions of a plan, each read with a RowKey range.

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
type Cursor = { at: "start" } | { at: "gt" | "ge"; key: string } | { at: "service"; token: string } | { at: "done" };

export function createdRange(fromMs?: number, toMs?: number): { low?: string; high?: string } {
  // Newer jobs have smaller keys: created <= to is RowKey >= key(to); created >= from is RowKey < key(from) followed by '}'.
  return {
    ...(toMs !== undefined ? { low: invertedTime(toMs) } : {}),
    ...(fromMs !== undefined ? { high: `${invertedTime(fromMs)}}` } : {}),
  };
}

const tokenPrefix = "ix1.";
const maxTokenLength = 8192;

export function isIndexToken(token: string): boolean {
  return token.startsWith(tokenPrefix);
}

export function isScanToken(token: string): boolean {
  return token.startsWith(scanPrefix);
}

function planHash(plan: ReadPlan): string {
  return createHash("sha256")
    .update(JSON.stringify([plan.table, plan.partitions, plan.low ?? null, plan.high ?? null, plan.extra ?? null]))
    .digest("base64url")
    .slice(0, 16);
}

/**
 * The continuation token: which query it belongs to (a hash of the plan the query options give) and each
 * partition's position. The partitions and filters always come from the caller's query, never from the
 * token, so an altered token can only move the reading within the caller's own question.
 */
function encodeToken(plan: ReadPlan, cursors: Cursor[]): string {
  const c = cursors.map((x) =>
    x.at === "start"
      ? 0
      : x.at === "done"
        ? 1
        : x.at === "service"
          ? `~${x.token}`
          : `${x.at === "gt" ? ">" : "="}${x.key}`,
  );
  return `${tokenPrefix}${Buffer.from(JSON.stringify({ p: planHash(plan), c })).toString("base64url")}`;
}

/** Light check at parse time: shape and size only (the plan check follows when the plan is known). */
export function isWellFormedIndexToken(token: string): boolean {
  return token.length <= maxTokenLength && /^(ix1|sc1)\.[A-Za-z0-9_-]+$/.test(token);
}

function decodeToken(plan: ReadPlan, token: string): Cursor[] {
  let parsed: { p?: unknown; c?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token.slice(tokenPrefix.length), "base64url").toString("utf8")) as {
      p?: unknown;
      c?: unknown;
    };
  } catch {
    throw new InputError(
      "continuationToken",
      "continuationToken is not one this API handed out; start again without it.",
    );
  }
  if (parsed.p !== planHash(plan) || !Array.isArray(parsed.c) || parsed.c.length !== plan.partitions.length) {
    throw new InputError(
      "continuationToken",
      "continuationToken belongs to another query; send it with the same options as the page that gave it, or start again without it.",
    );
  }
  return parsed.c.map((x): Cursor => {
    if (x === 0) return { at: "start" };
    if (x === 1) return { at: "done" };
    if (typeof x === "string" && (x[0] === ">" || x[0] === "=") && isValidKey(x.slice(1)))
      return { at: x[0] === ">" ? "gt" : "ge", key: x.slice(1) };
    if (typeof x === "string" && x[0] === "~" && isContinuationToken(x.slice(1)))
      return { at: "service", token: x.slice(1) };
    throw new InputError(
      "continuationToken",
      "continuationToken is not one this API handed out; start again without it.",
    );
  });
}

interface Source {
  partition: string;
  cursor: Cursor;
  buffer: StoredRow[];
  /** The service said there is nothing after the buffer. */
  last: boolean;
}

/** A stream of rows a page is read from. */
export interface RowReader {
  /** Looking ahead one row may cost a scan: then a page ends without it. */
  readonly peekCostly?: boolean;
  peek(want: number): Promise<StoredRow | undefined>;
  take(want: number): Promise<StoredRow | undefined>;
  token(): string | undefined;
  queries: number;
}

const scanPrefix = "sc1.";

/**
 * The old path, while the backfill runs: one filtered query over the Jobs table (by printer, then newest
 * job first), continued with the service's own tokens. When a page ends inside a service page (latest=true
 * ends a page at a job's last row), the token holds that service page's start and the next row's keys: the
 * next page reads from there and skips the rows before that key.
 */
export class ScanReader implements RowReader {
  private buffer: StoredRow[] = [];
  private next: string | undefined;
  /** The service token the buffer's page was read with. */
  private bufferFrom: string | undefined;
  private started = false;
  private skipBefore: { pk: string; rk: string } | undefined;
  queries = 0;
  /** A scan has no cheap look ahead: its last page may be empty (as the service's own paging is). */
  readonly peekCostly = true;

  constructor(
    private readonly store: AuditStore,
    private readonly table: string,
    private readonly filter: string | undefined,
    token?: string,
  ) {
    if (token?.startsWith(scanPrefix)) {
      const at = decodeScanToken(filter, token);
      this.next = at.t;
      this.skipBefore = { pk: at.pk, rk: at.rk };
    } else this.next = token;
  }

  async peek(want: number): Promise<StoredRow | undefined> {
    while (this.buffer.length === 0 && (!this.started || this.next)) {
      this.started = true;
      this.queries++;
      this.bufferFrom = this.next;
      const page = await this.store.queryPage(this.table, this.filter, Math.min(1000, Math.max(1, want)), this.next);
      this.buffer = page.rows;
      this.next = page.continuationToken;
      const skip = this.skipBefore;
      if (skip) {
        this.buffer = this.buffer.filter(
          (r) => r.partitionKey! > skip.pk || (r.partitionKey === skip.pk && r.rowKey! >= skip.rk),
        );
        if (this.buffer.length > 0) this.skipBefore = undefined;
      }
    }
    return this.buffer[0];
  }

  async take(want: number): Promise<StoredRow | undefined> {
    const row = await this.peek(want);
    this.buffer.shift();
    return row;
  }

  token(): string | undefined {
    const head = this.buffer[0];
    if (!head) return this.next;
    const body = { p: filterHash(this.filter), t: this.bufferFrom ?? null, pk: head.partitionKey, rk: head.rowKey };
    return `${scanPrefix}${Buffer.from(JSON.stringify(body)).toString("base64url")}`;
  }
}

function filterHash(filter: string | undefined): string {
  return createHash("sha256")
    .update(filter ?? "")
    .digest("base64url")
    .slice(0, 16);
}

function decodeScanToken(baseFilter: string | undefined, token: string): { t?: string; pk: string; rk: string } {
  let parsed: { p?: unknown; t?: unknown; pk?: unknown; rk?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token.slice(scanPrefix.length), "base64url").toString("utf8")) as typeof parsed;
  } catch {
    throw new InputError(
      "continuationToken",
      "continuationToken is not one this API handed out; start again without it.",
    );
  }
  if (parsed.p !== filterHash(baseFilter)) {
    throw new InputError(
      "continuationToken",
      "continuationToken belongs to another query; send it with the same options as the page that gave it, or start again without it.",
    );
  }
  const serviceToken = parsed.t === null ? undefined : parsed.t;
  if (
    typeof parsed.pk !== "string" ||
    typeof parsed.rk !== "string" ||
    !isValidKey(parsed.pk) ||
    !isValidKey(parsed.rk) ||
    (serviceToken !== undefined && (typeof serviceToken !== "string" || !isContinuationToken(serviceToken)))
  ) {
    throw new InputError(
      "continuationToken",
      "continuationToken is not one this API handed out; start again without it.",
    );
  }
  return { ...(serviceToken !== undefined ? { t: serviceToken as string } : {}), pk: parsed.pk, rk: parsed.rk };
}

/** Reads the partitions of a plan as one stream in RowKey order (duplicates across partitions once). */
export class MergedReader implements RowReader {
  private readonly sources: Source[];
  /** Storage queries made (for logs and tests). */
  queries = 0;

  constructor(
    private readonly store: AuditStore,
    readonly plan: ReadPlan,
    token?: string,
  ) {
    const cursors = token ? decodeToken(plan, token) : plan.partitions.map((): Cursor => ({ at: "start" }));
    this.sources = plan.partitions.map((partition, i) => ({
      partition,
      cursor: cursors[i]!,
      buffer: [],
      last: cursors[i]!.at === "done",
    }));
  }

  private filterOf(s: Source): string {
    const parts = [odata`PartitionKey eq ${s.partition}`];
    const c = s.cursor;
    if (c.at === "gt") parts.push(odata`RowKey gt ${c.key}`);
    else if (c.at === "ge") parts.push(odata`RowKey ge ${c.key}`);
    if (
      this.plan.low !== undefined &&
      (c.at === "start" || c.at === "service" || ((c.at === "gt" || c.at === "ge") && c.key < this.plan.low))
    )
      parts.push(odata`RowKey ge ${this.plan.low}`);
    if (this.plan.high !== undefined) parts.push(odata`RowKey lt ${this.plan.high}`);
    if (this.plan.extra) parts.push(`(${this.plan.extra})`);
    return parts.join(" and ");
  }

  /** Fills every empty source that may hold more, `want` rows each at most. */
  private async fill(want: number): Promise<void> {
    const empty = this.sources.filter((s) => s.buffer.length === 0 && !s.last);
    if (empty.length === 0) return;
    await Promise.all(
      empty.map(async (s) => {
        // A page may stop without rows (the service's 5 s or 1,000-row scan limit under a column filter): go on from where it stopped.
        while (s.buffer.length === 0 && !s.last) {
          this.queries++;
          const c = s.cursor;
          const page = await this.store.queryPage(
            this.plan.table,
            this.filterOf(s),
            Math.min(1000, Math.max(1, want)),
            c.at === "service" ? c.token : undefined,
          );
          s.buffer = page.rows;
          if (!page.continuationToken) s.last = true;
          // The service's positions are opaque: go on from its token (the bounds of the filter still hold).
          else if (page.rows.length === 0) s.cursor = { at: "service", token: page.continuationToken };
        }
        if (s.buffer.length === 0) s.cursor = { at: "done" };
      }),
    );
  }

  /** The next row without taking it; `want` sizes the reads (about how many rows are still wanted). */
  async peek(want: number): Promise<StoredRow | undefined> {
    const active = this.sources.filter((s) => s.buffer.length > 0 || !s.last).length;
    await this.fill(Math.ceil((want * 1.25) / Math.max(1, active)) + 2);
    let best: StoredRow | undefined;
    for (const s of this.sources) {
      const head = s.buffer[0];
      if (head && (best === undefined || head.rowKey! < best.rowKey!)) best = head;
    }
    return best;
  }

  /** Takes the next row (from every partition that holds it). */
  async take(want: number): Promise<StoredRow | undefined> {
    const row = await this.peek(want);
    if (!row) return undefined;
    for (const s of this.sources) {
      if (s.buffer[0]?.rowKey === row.rowKey) {
        s.buffer.shift();
        s.cursor = { at: "gt", key: row.rowKey! };
        if (s.buffer.length === 0 && s.last) s.cursor = { at: "done" };
      }
    }
    return row;
  }

  /** Where to go on from, or undefined when every partition is read to its end. */
  token(): string | undefined {
    if (this.sources.every((s) => s.cursor.at === "done")) return undefined;
    return encodeToken(
      this.plan,
      this.sources.map((s) => s.cursor),
    );
  }
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
    if (!options.latest) {
      const row = await reader.take(remaining);
      if (!row) break;
      rows.push(row);
    } else {
      let best = await reader.take(remaining);
      if (!best) break;
      const group = jobGroupKey(best);
      for (;;) {
        const next = await reader.peek(remaining);
        if (!next || jobGroupKey(next) !== group) break;
        await reader.take(remaining);
        if (isLater(next, best)) best = next;
      }
      rows.push(best);
    }
    if (rows.length > 0 && overdue()) break;
  }
  // On the indexes a token only when a row follows: the next page is never empty.
  const ended = rows.length < options.top && !overdue();
  const more = ended ? false : reader.peekCostly ? true : (await reader.peek(1)) !== undefined;
  const token = more ? reader.token() : undefined;
  return { rows, ...(token ? { continuationToken: token } : {}), queries: reader.queries };
}

// ---------------------------------------------------------------------------------------------------
// Backfill: history recorded before the indexes existed, indexed in the background.

export const backfillPartition = "index-backfill";
export const backfillRowKey = "JobIndex";

export interface BackfillState {
  Status?: "running" | "complete";
  /** Where the scan of the Jobs table goes on (an SDK continuation token). */
  Cursor?: string;
  RowsRead?: number;
  IndexRowsWritten?: number;
  Pages?: number;
  StartedDateTime?: string;
  UpdatedDateTime?: string;
  CompletedDateTime?: string;
}

const completeStores = new WeakMap<AuditStore, true>();

/** Whether the backfill finished: once it has, the indexes hold every history row (the recorder indexes new ones). */
export async function isIndexComplete(store: AuditStore): Promise<boolean> {
  if (completeStores.has(store)) return true;
  const row = await store.getRow(store.tables.runs, backfillPartition, backfillRowKey);
  const complete = row?.Status === "complete";
  if (complete) completeStores.set(store, true);
  return complete;
}

export interface BackfillResult {
  complete: boolean;
  rowsRead: number;
  indexRowsWritten: number;
  pages: number;
}

/**
 * A new installation has no history to index: its first audit run marks the indexes complete at once, so
 * reads come in the documented order from the first recorded job (an existing audit waits for the backfill).
 */
export async function completeIndexesOfNewAudit(store: AuditStore, log: AuditLog): Promise<boolean> {
  if (await isIndexComplete(store)) return true;
  if ((await store.queryPage(store.tables.jobs, undefined, 1)).rows.length > 0) return false;
  // Rows recorded meanwhile already have their index rows: the backfill writes the same keys again, with "create".
  return (await backfillIndexes(store, { log })).complete;
}

/**
 * Indexes the Jobs table page by page (in key order), saving the position after each page in the Runs
 * table (PK index-backfill): an interrupted backfill resumes from the last saved page, and pages read
 * again write the same keys with "create" (no duplicate); the daily summaries of the days it reads are
 * recomputed from the history. Ends with the "complete" marker.
 */
export async function backfillIndexes(
  store: AuditStore,
  options: { log: AuditLog; shouldStop?: () => boolean; pageSize?: number; now?: () => Date },
): Promise<BackfillResult> {
  const now = options.now ?? (() => new Date());
  const saved = (await store.getRow(store.tables.runs, backfillPartition, backfillRowKey)) as
    (BackfillState & StoredRow) | undefined;
  const result: BackfillResult = { complete: saved?.Status === "complete", rowsRead: 0, indexRowsWritten: 0, pages: 0 };
  if (result.complete) return result;
  const state: BackfillState = {
    Status: "running",
    Cursor: saved?.Cursor,
    RowsRead: Number(saved?.RowsRead ?? 0),
    IndexRowsWritten: Number(saved?.IndexRowsWritten ?? 0),
    Pages: Number(saved?.Pages ?? 0),
    StartedDateTime: saved?.StartedDateTime ?? now().toISOString(),
  };
  if (!saved)
    await store.mergeRow(store.tables.runs, {
      partitionKey: backfillPartition,
      rowKey: backfillRowKey,
      ...state,
      UpdatedDateTime: now().toISOString(),
    });
  else if (state.Cursor) options.log.log(`auditIndexBackfill: resuming after ${state.RowsRead} history row(s).`);
  for (;;) {
    if (options.shouldStop?.()) break;
    const page = await store.queryPage(store.tables.jobs, undefined, options.pageSize ?? 1000, state.Cursor);
    const byTable = new Map<string, Row[]>();
    for (const row of page.rows) {
      for (const d of indexRows(store.tables, row as Row, "job")) {
        const list = byTable.get(d.table) ?? [];
        list.push(d.row);
        byTable.set(d.table, list);
      }
    }
    let written = 0;
    for (const [table, rows] of byTable) written += (await store.createRows(table, rows)).rows;
    // The daily summaries of those days and printers are recomputed from the history too (idempotent), so the viewer shows older days.
    await updateSummaries(store, page.rows as Row[]);
    result.rowsRead += page.rows.length;
    result.indexRowsWritten += written;
    result.pages++;
    state.RowsRead! += page.rows.length;
    state.IndexRowsWritten! += written;
    state.Pages! += 1;
    state.Cursor = page.continuationToken ?? "";
    if (!page.continuationToken) {
      state.Status = "complete";
      state.CompletedDateTime = now().toISOString();
    }
    await store.mergeRow(store.tables.runs, {
      partitionKey: backfillPartition,
      rowKey: backfillRowKey,
      ...state,
      UpdatedDateTime: now().toISOString(),
    });
    options.log.log(
      `auditIndexBackfill: ${state.RowsRead} history row(s) indexed so far (${state.IndexRowsWritten} index row(s) written)${state.Status === "complete" ? "; the indexes are complete" : ""}.`,
    );
    if (state.Status === "complete") {
      result.complete = true;
      completeStores.set(store, true);
      break;
    }
  }
  return result;
}
