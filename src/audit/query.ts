/**
 * Reading the audit: one job's timeline, and the history filtered by printer, created time, state and
 * user, a page at a time (JSON) or as a whole (CSV). Filters are built with the SDK's odata helper; the
 * created-time range is a RowKey range (see keys.ts), so it narrows the scan of every partition.
 *
 * Order (once the indexes are complete, see indexes.ts): newest job first (CreatedDateTime) across printers,
 * then printer id, then job id, then each job's states oldest first. While the backfill of older history
 * runs, the same rows come by printer id first. `latest=true` gives one row per job: its latest recorded
 * state among the rows the other options select.
 */
import { odata } from "@azure/data-tables";
import { type HistoryPage, type JobTimeline } from "../contract/auditAnswers";
import { isCalendarInstant, isGuid, shown, single } from "../validation";
import { csvLine } from "./csv";
import {
  createdPartition,
  createdRange,
  indexBuckets,
  isIndexComplete,
  isIndexToken,
  isWellFormedIndexToken,
  MergedReader,
  readPage,
  ScanReader,
  statePartition,
  userIdPartition,
  userPartition,
  type ReadPlan,
  type RowReader,
} from "./indexes";
import { invertedTime, jobHistoryPrefix, keyPart } from "./keys";
import { jobColumns, taskColumns, userFilterValues, type PrivacySettings } from "./snapshot";
import { isContinuationToken, type AuditStore, type StoredRow } from "./store";
import { InputError } from "../errors";

export interface HistoryQuery {
  printerId?: string;
  fromMs?: number;
  toMs?: number;
  state?: string;
  user?: string;
  top: number;
  continuationToken?: string;
  format: "json" | "csv";
  /** One row per job: its latest recorded state. */
  latest?: boolean;
}

export const defaultTop = 100;
export const maxTop = 1000;
/** The most rows one CSV export holds; a larger set is cut there (and says so in its headers). */
export const maxCsvRows = 50_000;

const allowedOptions = new Set([
  "printerId",
  "from",
  "to",
  "state",
  "user",
  "top",
  "continuationToken",
  "format",
  "latest",
  "code",
]);
const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 date (a whole UTC day) or date-time with Z or an offset, as epoch milliseconds; a day or time that does not exist (2026-02-30, 24:00) is refused, not rolled over. */
function parseInstant(name: "from" | "to", raw: string): number {
  const value = raw.trim();
  if (isoDate.test(value) && isCalendarInstant(value)) {
    const start = Date.parse(`${value}T00:00:00Z`);
    if (Number.isFinite(start)) return name === "to" ? start + 86_400_000 - 1 : start;
  } else if (isoDateTime.test(value) && isCalendarInstant(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new InputError(
    name,
    `${name} must be an ISO 8601 date (2026-11-24) or date-time with a zone (2026-11-24T08:00:00Z) that exists in the calendar; got ${shown(raw)}.`,
  );
}

/** Validates the read API's query options completely, naming the first bad one. */
export function parseHistoryQuery(query: URLSearchParams, privacy: PrivacySettings): HistoryQuery {
  for (const name of query.keys()) {
    if (!allowedOptions.has(name)) {
      throw new InputError(
        name,
        `Query option ${shown(name)} is not supported here; use ${[...allowedOptions].filter((n) => n !== "code").join(", ")}.`,
      );
    }
  }
  const result: HistoryQuery = { top: defaultTop, format: "json" };
  const printerId = single(query, "printerId");
  if (printerId !== undefined) {
    if (!isGuid(printerId))
      throw new InputError("printerId", `printerId must be a printer GUID; got ${shown(printerId)}.`);
    result.printerId = printerId.toLowerCase();
  }
  const from = single(query, "from");
  if (from !== undefined) result.fromMs = parseInstant("from", from);
  const to = single(query, "to");
  if (to !== undefined) result.toMs = parseInstant("to", to);
  if (result.fromMs !== undefined && result.toMs !== undefined && result.fromMs > result.toMs) {
    throw new InputError("from", "from is later than to.");
  }
  const state = single(query, "state");
  if (state !== undefined) {
    if (state.length === 0 || state.length > 64)
      throw new InputError("state", "state must be 1-64 characters, such as completed or aborted.");
    result.state = state;
  }
  const user = single(query, "user");
  if (user !== undefined) {
    if (privacy.redactUsers === "omit")
      throw new InputError(
        "user",
        "Users are not recorded here (AUDIT_REDACT_USERS=omit), so the history cannot be filtered by user.",
      );
    if (user.length === 0 || user.length > 256)
      throw new InputError("user", "user must be a user principal name or user id, at most 256 characters.");
    result.user = user;
  }
  const top = single(query, "top");
  if (top !== undefined) {
    if (!/^\d{1,4}$/.test(top) || Number(top) < 1 || Number(top) > maxTop)
      throw new InputError("top", `top must be a whole number from 1 to ${maxTop}; got ${shown(top)}.`);
    result.top = Number(top);
  }
  const token = single(query, "continuationToken");
  if (token !== undefined) {
    if (!isContinuationToken(token) && !isWellFormedIndexToken(token))
      throw new InputError(
        "continuationToken",
        "continuationToken is not one this API handed out; start again without it.",
      );
    result.continuationToken = token;
  }
  const format = single(query, "format");
  if (format !== undefined) {
    if (format !== "json" && format !== "csv")
      throw new InputError("format", `format must be json or csv; got ${shown(format)}.`);
    result.format = format;
  }
  const latest = single(query, "latest");
  if (latest !== undefined) {
    if (latest !== "true" && latest !== "false")
      throw new InputError("latest", `latest must be true or false; got ${shown(latest)}.`);
    result.latest = latest === "true";
  }
  return result;
}

/** The Table filter of a history query (at most 7 comparisons). */
export function historyFilter(q: HistoryQuery, privacy: PrivacySettings): string | undefined {
  const parts: string[] = [];
  if (q.printerId) parts.push(odata`PartitionKey eq ${q.printerId}`);
  // Newer jobs have smaller keys: created >= from is RowKey below the key of `from`, created <= to is RowKey at or above the key of `to`.
  if (q.fromMs !== undefined) parts.push(odata`RowKey lt ${`${invertedTime(q.fromMs)}}`}`);
  if (q.toMs !== undefined) parts.push(odata`RowKey ge ${invertedTime(q.toMs)}`);
  if (q.state !== undefined) parts.push(odata`JobState eq ${q.state}`);
  if (q.user !== undefined) {
    const values = userFilterValues(q.user, privacy);
    // As given, lower-cased and as a pseudonym: a person's rows are found whatever mode recorded them.
    const alternatives = values.flatMap((v) => [odata`CreatedBy eq ${v}`, odata`CreatedById eq ${v}`]);
    parts.push(`(${alternatives.join(" or ")})`);
  }
  return parts.length > 0 ? parts.join(" and ") : undefined;
}

/** A stored row as the API shows it: the table's column names, no keys or etag; a missing value is null. */
export function publicRow(
  row: Record<string, unknown>,
  columns: readonly string[] = jobColumns,
): Record<string, unknown> {
  return Object.fromEntries(columns.map((c) => [c, row[c] ?? null]));
}

/**
 * The partitions that answer a query: a printer's own history partition; else one person's index
 * partitions; else a state's; else every job's. Each is read with the created-time range as a RowKey range.
 */
export function indexPlan(store: AuditStore, q: HistoryQuery, privacy: PrivacySettings): ReadPlan {
  const range = createdRange(q.fromMs, q.toMs);
  const buckets = Array.from({ length: indexBuckets }, (_, b) => b);
  if (q.printerId) {
    const extra = [q.state !== undefined ? odata`JobState eq ${q.state}` : undefined, userFilter(q, privacy)].filter(
      (x) => x !== undefined,
    );
    return {
      table: store.tables.jobs,
      partitions: [q.printerId],
      ...range,
      ...(extra.length > 0 ? { extra: extra.join(" and ") } : {}),
    };
  }
  if (q.user !== undefined) {
    // As given, lower-cased and as a pseudonym, by UPN and by id: a person's rows are found whatever mode recorded them.
    const values = userFilterValues(q.user, privacy);
    const partitions = [...new Set(values.flatMap((v) => [userPartition(v), userIdPartition(v)]))];
    return {
      table: store.tables.jobIndex,
      partitions,
      ...range,
      ...(q.state !== undefined ? { extra: odata`JobState eq ${q.state}` } : {}),
    };
  }
  if (q.state !== undefined) return { table: store.tables.jobIndex, partitions: [statePartition(q.state)], ...range };
  return { table: store.tables.jobIndex, partitions: buckets.map(createdPartition), ...range };
}

function userFilter(q: HistoryQuery, privacy: PrivacySettings): string | undefined {
  if (q.user === undefined) return undefined;
  const values = userFilterValues(q.user, privacy);
  return `(${values.flatMap((v) => [odata`CreatedBy eq ${v}`, odata`CreatedById eq ${v}`]).join(" or ")})`;
}

/** The reader of a query: the indexes once complete (or when the token is theirs), else the old scan. */
export async function historyReader(store: AuditStore, q: HistoryQuery, privacy: PrivacySettings): Promise<RowReader> {
  const token = q.continuationToken;
  const indexed = token !== undefined ? isIndexToken(token) : await isIndexComplete(store);
  if (indexed) return new MergedReader(store, indexPlan(store, q, privacy), token);
  return new ScanReader(store, store.tables.jobs, historyFilter(q, privacy), token);
}

/**
 * One page of at most `top` rows (or jobs, with latest=true), in the documented order. Reading goes on
 * past the service's short or empty pages until the page is full, the rows run out, or the deadline passes
 * with at least one row in hand.
 */
export async function listHistoryPage(
  store: AuditStore,
  q: HistoryQuery,
  privacy: PrivacySettings,
  options: { deadline?: number } = {},
): Promise<HistoryPage> {
  const reader = await historyReader(store, q, privacy);
  const page = await readPage(reader, { top: q.top, latest: q.latest, deadline: options.deadline });
  return {
    value: page.rows.map((row) => publicRow(row)),
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
  };
}

export { csvCell, csvLine } from "./csv";

export interface CsvExport {
  text: string;
  rows: number;
  /** Set when the export stopped at maxCsvRows or its time budget: where to continue. */
  continuationToken?: string;
}

/** The whole filtered history as CSV (UTF-8 with BOM, CRLF lines, a header row of the column names). */
export async function exportHistoryCsv(
  store: AuditStore,
  q: HistoryQuery,
  privacy: PrivacySettings,
  options: { maxRows?: number; deadline?: number } = {},
): Promise<CsvExport> {
  const maxRows = options.maxRows ?? maxCsvRows;
  const reader = await historyReader(store, q, privacy);
  const page = await readPage(reader, { top: maxRows, latest: q.latest, deadline: options.deadline });
  const parts: string[] = ["\uFEFF", csvLine(jobColumns)];
  for (const row of page.rows) parts.push(csvLine(jobColumns.map((c) => row[c])));
  return {
    text: parts.join(""),
    rows: page.rows.length,
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
  };
}

function bySequence(a: StoredRow, b: StoredRow): number {
  const seq = Number(a.Sequence ?? 0) - Number(b.Sequence ?? 0);
  if (seq !== 0) return seq;
  const observed = String(a.ObservedDateTime ?? "").localeCompare(String(b.ObservedDateTime ?? ""));
  return observed !== 0 ? observed : String(a.TaskId ?? "").localeCompare(String(b.TaskId ?? ""));
}

/** A job's recorded states and task states, oldest first; undefined when the job was never recorded. */
export async function getJobTimeline(
  store: AuditStore,
  printerId: string,
  jobId: string,
): Promise<JobTimeline | undefined> {
  const current = await store.getRow(store.tables.current, printerId, keyPart(jobId));
  if (!current) return undefined;
  const prefix = jobHistoryPrefix(String(current.KeyTime), jobId);
  const [states, tasks] = await Promise.all([
    store.rowsWithPrefix(store.tables.jobs, printerId, prefix),
    store.rowsWithPrefix(store.tables.tasks, printerId, prefix),
  ]);
  return {
    printerId,
    jobId,
    printerName: typeof current.PrinterName === "string" ? current.PrinterName : null,
    current: publicRow(current),
    states: states.sort(bySequence).map((r) => publicRow(r)),
    tasks: tasks.sort(bySequence).map((r) => publicRow(r, taskColumns)),
  };
}
