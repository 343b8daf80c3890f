/**
 * Daily summaries kept at record time (the data-series pattern): one row per UTC day and printer that
 * counts the jobs created that day by their latest recorded state, and by person as recorded (CreatedBy,
 * else CreatedById: the UPN or id, or their pseudonyms under AUDIT_REDACT_USERS=hash; none under omit).
 *
 *   Summaries  PK = 99999999 - YYYYMMDD (8 digits, newest day first)   RK = printerId
 *
 * A row is never incremented: it is recomputed from the history rows it counts (the printer's Jobs
 * partition, the day's RowKey range), so a re-delivered message, a replay after a crash and two runs at
 * once all give the same counts. The recorder first marks the row Dirty (after the history rows, before
 * the current state), then recomputes it and writes it back only if its etag is still the one read before
 * the history was read; a mark in between fails that write and the row is computed again. A row left
 * Dirty by a crash is recomputed by the next run that records that day and printer, or by the first read.
 * Redaction and erasure rewrite history rows and then call updateSummaries() with them (person counts
 * come from the rewritten rows); retention deletes the days it purged and recomputes the boundary day.
 */
import { odata, type TableClient } from "@azure/data-tables";
import { isRestError } from "@azure/core-rest-pipeline";
import { invertedTime, timeOfInverted } from "./keys";
import { type AuditStore, type Row, type StoredRow } from "./store";

const dayMs = 86_400_000;
/** Columns a recompute reads from the history. */
const historyColumns = ["RowKey", "JobId", "JobState", "Sequence", "ObservedDateTime", "CreatedBy", "CreatedById", "PrinterName"];
/** A Table string property holds 32,768 UTF-16 units: the person counts are split over columns of at most this many. */
const maxUsersChars = 30_000;
const maxUsersColumns = 24;
const maxAttempts = 8;

/** "2026-11-20" of an instant (UTC). */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The summary partition of a UTC day: newer days have smaller keys. */
export function dayKey(day: string): string {
  return String(99_999_999 - Number(day.replace(/-/g, ""))).padStart(8, "0");
}

export function dayOfKey(key: string): string {
  const n = String(99_999_999 - Number(key)).padStart(8, "0");
  return `${n.slice(0, 4)}-${n.slice(4, 6)}-${n.slice(6, 8)}`;
}

/** The UTC day a history row counts on: its created time, as in its keys (the observed time when Graph gave none). */
export function dayOfHistoryKey(rowKey: string): string {
  return dayOf(timeOfInverted(rowKey.slice(0, 13)));
}

/** The history RowKey range of one UTC day: [ge, lt). */
export function dayRange(day: string): { ge: string; lt: string } {
  const start = Date.parse(`${day}T00:00:00Z`);
  return { ge: invertedTime(start + dayMs - 1), lt: `${invertedTime(start)}}` };
}

/** The person key a job counts under: as recorded (UPN, else id, or their pseudonyms); undefined when none was recorded. */
export function personOf(row: Record<string, unknown>): string | undefined {
  for (const column of ["CreatedBy", "CreatedById"]) {
    const value = row[column];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

export interface DaySummary {
  day: string;
  printerId: string;
  printerName?: string;
  jobs: number;
  states: Record<string, number>;
  users: Record<string, number>;
}

function later(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const seq = Number(a.Sequence ?? 0) - Number(b.Sequence ?? 0);
  if (seq !== 0) return seq > 0;
  const observed = String(a.ObservedDateTime ?? "").localeCompare(String(b.ObservedDateTime ?? ""));
  if (observed !== 0) return observed > 0;
  return String(a.rowKey ?? "") > String(b.rowKey ?? "");
}

/** The job part of a history RowKey: "<keyTime>|<jobKey>". */
function jobPrefix(rowKey: string): string {
  const second = rowKey.indexOf("|", 14);
  return second < 0 ? rowKey : rowKey.slice(0, second);
}

/**
 * The summary of one day and printer from its history rows: each job once, in its latest observation
 * (highest Sequence, then latest ObservedDateTime, as the current-state row holds it).
 */
export function summarizeHistory(day: string, printerId: string, rows: Iterable<Record<string, unknown>>): DaySummary {
  const latest = new Map<string, Record<string, unknown>>();
  let printerName: string | undefined;
  let newest = "";
  for (const row of rows) {
    const rowKey = String(row.rowKey ?? "");
    const job = jobPrefix(rowKey);
    const seen = latest.get(job);
    if (!seen || later(row, seen)) latest.set(job, row);
    // The name the printer had at its newest job of the day.
    if (typeof row.PrinterName === "string" && (newest === "" || rowKey < newest)) {
      newest = rowKey;
      printerName = row.PrinterName;
    }
  }
  const states: Record<string, number> = {};
  const users: Record<string, number> = {};
  for (const row of latest.values()) {
    const state = typeof row.JobState === "string" && row.JobState !== "" ? row.JobState : "unknown";
    states[state] = (states[state] ?? 0) + 1;
    const person = personOf(row);
    if (person !== undefined) users[person] = (users[person] ?? 0) + 1;
  }
  return { day, printerId, ...(printerName !== undefined ? { printerName } : {}), jobs: latest.size, states, users };
}

/** A summary as its table row: person counts split over Users0, Users1, … so no string passes Table's limit. */
export function summaryRow(summary: DaySummary): Row {
  const columns: Record<string, string> = {};
  let chunk: Record<string, number> = {};
  let size = 2;
  let index = 0;
  let cut = false;
  const flush = (): void => {
    if (Object.keys(chunk).length > 0) columns[`Users${index++}`] = JSON.stringify(chunk);
    chunk = {};
    size = 2;
  };
  for (const [user, n] of Object.entries(summary.users).sort(([, a], [, b]) => b - a)) {
    const entry = JSON.stringify(user).length + String(n).length + 2;
    if (size + entry > maxUsersChars) flush();
    if (index >= maxUsersColumns) {
      cut = true;
      break;
    }
    chunk[user] = n;
    size += entry;
  }
  if (!cut) flush();
  return {
    partitionKey: dayKey(summary.day),
    rowKey: summary.printerId,
    Day: summary.day,
    PrinterId: summary.printerId,
    ...(summary.printerName !== undefined ? { PrinterName: summary.printerName } : {}),
    Jobs: summary.jobs,
    States: JSON.stringify(summary.states),
    ...columns,
    ...(cut ? { UsersCut: true } : {}),
    Dirty: false,
    ComputedDateTime: new Date().toISOString(),
  };
}

function parseCounts(value: unknown): Record<string, number> {
  if (typeof value !== "string") return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1])));
  } catch {
    return {};
  }
}

/** A stored summary row back as a summary. */
export function summaryOfRow(row: Record<string, unknown>): DaySummary {
  const users: Record<string, number> = {};
  for (let i = 0; typeof row[`Users${i}`] === "string"; i++) Object.assign(users, parseCounts(row[`Users${i}`]));
  return {
    day: typeof row.Day === "string" ? row.Day : dayOfKey(String(row.partitionKey)),
    printerId: String(row.rowKey),
    ...(typeof row.PrinterName === "string" ? { printerName: row.PrinterName } : {}),
    jobs: Number(row.Jobs ?? 0),
    states: parseCounts(row.States),
    users,
  };
}

/** The (day, printer) pairs some history rows count on. */
export function summaryTargets(historyRows: readonly Row[]): Map<string, { day: string; printerId: string }> {
  const targets = new Map<string, { day: string; printerId: string }>();
  for (const row of historyRows) {
    const day = dayOfHistoryKey(row.rowKey);
    targets.set(`${day}\n${row.partitionKey}`, { day, printerId: row.partitionKey });
  }
  return targets;
}

function isStale(error: unknown): boolean {
  return isRestError(error) && (error.statusCode === 412 || error.statusCode === 409);
}

/**
 * Marks the summaries these history rows count on as Dirty (a merge, so it also changes each row's etag).
 * Call after the history rows are written and before the current state moves on.
 */
export async function markSummaries(store: AuditStore, historyRows: readonly Row[], touched?: Map<string, { day: string; printerId: string }>): Promise<void> {
  const targets = summaryTargets(historyRows);
  if (targets.size === 0) return;
  const client = await store.table(store.tables.summaries);
  for (const [key, { day, printerId }] of targets) {
    await client.upsertEntity({ partitionKey: dayKey(day), rowKey: printerId, Day: day, PrinterId: printerId, Dirty: true }, "Merge");
    touched?.set(key, { day, printerId });
  }
}

/** Every history row of one printer created on one UTC day (the columns a summary needs). */
async function historyOfDay(store: AuditStore, day: string, printerId: string): Promise<StoredRow[]> {
  const jobs = await store.table(store.tables.jobs);
  const { ge, lt } = dayRange(day);
  const filter = odata`PartitionKey eq ${printerId} and RowKey ge ${ge} and RowKey lt ${lt}`;
  const rows: StoredRow[] = [];
  for await (const page of jobs.listEntities({ queryOptions: { filter, select: historyColumns } }).byPage({ maxPageSize: 1000 })) rows.push(...page);
  return rows;
}

async function getSummaryRow(client: TableClient, day: string, printerId: string): Promise<StoredRow | undefined> {
  try {
    return await client.getEntity(dayKey(day), printerId);
  } catch (error) {
    if (isRestError(error) && error.statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * Recomputes one day and printer from the history if it is Dirty (or missing, or `force`), writing it
 * back only under the etag read before the history was read. Returns the summary as stored, or undefined
 * when other writers kept moving it (it stays Dirty, and the next reader or run computes it).
 */
export async function refreshSummary(store: AuditStore, day: string, printerId: string, options: { force?: boolean } = {}): Promise<DaySummary | undefined> {
  const client = await store.table(store.tables.summaries);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const existing = await getSummaryRow(client, day, printerId);
    if (existing && existing.Dirty !== true && !options.force) return summaryOfRow(existing);
    const history = await historyOfDay(store, day, printerId);
    if (history.length === 0 && !existing) return undefined;
    const row = summaryRow(summarizeHistory(day, printerId, history));
    try {
      if (history.length === 0) {
        // Nothing left to count (retention or erasure took it): the row goes.
        await client.deleteEntity(row.partitionKey, row.rowKey, { etag: existing!.etag });
        return undefined;
      }
      if (existing) await client.updateEntity(row, "Replace", { etag: existing.etag });
      else await client.createEntity(row);
      return summaryOfRow(row);
    } catch (error) {
      if (!isStale(error) && !(isRestError(error) && error.statusCode === 404)) throw error;
    }
  }
  return undefined;
}

/** Recomputes several summaries, a few at a time. */
export async function refreshSummaries(store: AuditStore, targets: Iterable<{ day: string; printerId: string }>, concurrency = 4): Promise<void> {
  const list = [...targets];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, list.length) }, async () => {
      while (next < list.length) {
        const { day, printerId } = list[next++]!;
        await refreshSummary(store, day, printerId);
      }
    }),
  );
}

/**
 * Brings the summaries of rewritten or newly written history rows up to date: mark, then recompute.
 * Redaction and erasure call it with the rewritten history rows (after deleting and creating their derived rows).
 */
export async function updateSummaries(store: AuditStore, historyRows: readonly Row[]): Promise<void> {
  const touched = new Map<string, { day: string; printerId: string }>();
  await markSummaries(store, historyRows, touched);
  await refreshSummaries(store, touched.values());
}

/** The summary rows of one day (one printer's, or every printer's), repairing any left Dirty. */
export async function readDay(store: AuditStore, day: string, printerId?: string): Promise<DaySummary[]> {
  const client = await store.table(store.tables.summaries);
  const filter = printerId ? odata`PartitionKey eq ${dayKey(day)} and RowKey eq ${printerId}` : odata`PartitionKey eq ${dayKey(day)}`;
  const out: DaySummary[] = [];
  const dirty: string[] = [];
  for await (const row of client.listEntities({ queryOptions: { filter } })) {
    if (row.Dirty === true) dirty.push(String(row.rowKey));
    else out.push(summaryOfRow(row));
  }
  for (const id of dirty) {
    const repaired = await refreshSummary(store, day, id);
    if (repaired) out.push(repaired);
  }
  return out;
}

/**
 * Rebuilds the summaries of a range of days from the history already recorded (for audits recorded before
 * the summaries existed): one pass over each printer's history of the range, then a recompute per day and
 * printer found. Idempotent; safe to run again or to interrupt.
 */
export async function rebuildSummaries(store: AuditStore, printerIds: readonly string[], fromMs: number, toMs: number): Promise<number> {
  const jobs = await store.table(store.tables.jobs);
  const targets = new Map<string, { day: string; printerId: string }>();
  for (const printerId of printerIds) {
    const filter = odata`PartitionKey eq ${printerId} and RowKey ge ${invertedTime(toMs)} and RowKey le ${`${invertedTime(fromMs)}}`}`;
    for await (const row of jobs.listEntities({ queryOptions: { filter, select: ["RowKey"] } })) {
      const day = dayOfHistoryKey(String(row.rowKey));
      targets.set(`${day}\n${printerId}`, { day, printerId });
    }
  }
  for (const target of targets.values()) await refreshSummary(store, target.day, target.printerId, { force: true });
  return targets.size;
}

/** Retention: the summaries of days wholly before the cutoff go; the cutoff's own day is recomputed from what is left. */
export async function purgeSummaries(store: AuditStore, cutoffMs: number, options: { shouldStop?: () => boolean } = {}): Promise<{ deleted: number; stopped: boolean }> {
  const cutoffDay = dayOf(cutoffMs);
  // Older days have larger keys.
  const result = await store.deleteWhere(store.tables.summaries, odata`PartitionKey gt ${dayKey(cutoffDay)}`, options);
  if (result.stopped) return result;
  const client = await store.table(store.tables.summaries);
  for await (const row of client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${dayKey(cutoffDay)}`, select: ["RowKey"] } })) {
    await refreshSummary(store, cutoffDay, String(row.rowKey), { force: true });
  }
  return result;
}
