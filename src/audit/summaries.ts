/**
 * Daily summaries kept at record time (the data-series pattern): one row per UTC day and printer that
 * counts the jobs created that day by their latest recorded state, and by person as recorded (CreatedBy,
 * else CreatedById: the UPN or id, or their pseudonyms under AUDIT_REDACT_USERS=hash; none under omit).
 *
 *   Summaries  PK = 99999999 - YYYYMMDD (8 digits, newest day first)   RK = printerId, or "~day"
 *
 * The "~day" row of a day adds up its printers' rows (per printer, and per person), so a month across 200
 * printers is 30 rows to read. It is a cache: marked Dirty (after the printer row) whenever a printer row of
 * its day is marked, and written back clean by a reader only under the etag it read first and only when no
 * printer row of the day was Dirty, so it never holds counts older than its printers' rows.
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
const historyColumns = [
  "RowKey",
  "JobId",
  "JobState",
  "Sequence",
  "ObservedDateTime",
  "CreatedBy",
  "CreatedById",
  "PrinterName",
];
/** A Table string property holds 32,768 UTF-16 units: the person counts are split over columns of at most this many. */
const maxUsersChars = 30_000;
/** An entity holds 1 MiB (UTF-16): 14 columns of 30,000 characters is 840 KB; the day row shares that between printers and people. */
const maxChunkColumns = 14;
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
  /** Jobs by created UTC hour (24 counts): lets the job list read only the printers with jobs in an hour. */
  hours?: number[];
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
  const hours = new Array<number>(24).fill(0);
  for (const [job] of latest) hours[new Date(timeOfInverted(job.slice(0, 13))).getUTCHours()]!++;
  for (const row of latest.values()) {
    const state = typeof row.JobState === "string" && row.JobState !== "" ? row.JobState : "unknown";
    states[state] = (states[state] ?? 0) + 1;
    const person = personOf(row);
    if (person !== undefined) users[person] = (users[person] ?? 0) + 1;
  }
  return {
    day,
    printerId,
    ...(printerName !== undefined ? { printerName } : {}),
    jobs: latest.size,
    states,
    users,
    hours,
  };
}

/** The "~day" row's key: not a printer id (printer ids are GUIDs). */
export const dayRowKey = "~day";

/**
 * A map of counts as columns name0, name1, …, each JSON text under Table's 32K string limit; `cut` when
 * it had to stop at maxColumns (the row would pass Table's 1 MiB).
 */
function chunkedColumns(
  name: string,
  entries: [string, unknown][],
  maxColumns = maxChunkColumns,
): { columns: Record<string, string>; cut: boolean } {
  const columns: Record<string, string> = {};
  let chunk: Record<string, unknown> = {};
  let size = 2;
  let index = 0;
  const flush = (): void => {
    if (Object.keys(chunk).length > 0) columns[`${name}${index++}`] = JSON.stringify(chunk);
    chunk = {};
    size = 2;
  };
  for (const [key, value] of entries) {
    const entry = JSON.stringify(key).length + JSON.stringify(value).length + 2;
    if (size + entry > maxUsersChars) flush();
    if (index >= maxColumns) return { columns, cut: true };
    chunk[key] = value;
    size += entry;
  }
  flush();
  return { columns, cut: false };
}

function readChunks(row: Record<string, unknown>, name: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; typeof row[`${name}${i}`] === "string"; i++) {
    try {
      const parsed = JSON.parse(row[`${name}${i}`] as string) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) Object.assign(out, parsed);
    } catch {
      // A cut or damaged chunk counts as missing.
    }
  }
  return out;
}

/** A summary as its table row: person counts split over Users0, Users1, … so no string passes Table's limit. */
export function summaryRow(summary: DaySummary): Row {
  const users = chunkedColumns(
    "Users",
    Object.entries(summary.users).sort(([, a], [, b]) => b - a),
  );
  return {
    partitionKey: dayKey(summary.day),
    rowKey: summary.printerId,
    Day: summary.day,
    PrinterId: summary.printerId,
    ...(summary.printerName !== undefined ? { PrinterName: summary.printerName } : {}),
    Jobs: summary.jobs,
    States: JSON.stringify(summary.states),
    ...(summary.hours ? { Hours: JSON.stringify(summary.hours) } : {}),
    ...users.columns,
    ...(users.cut ? { UsersCut: true } : {}),
    Dirty: false,
    ComputedDateTime: new Date().toISOString(),
  };
}

/** One day across printers: each printer's counts (no people) and the day's people. */
export interface DayTotals {
  day: string;
  printers: Omit<DaySummary, "users" | "day">[];
  users: Record<string, number>;
}

export function dayTotalsOf(day: string, summaries: readonly DaySummary[]): DayTotals {
  const users: Record<string, number> = {};
  for (const s of summaries) for (const [u, n] of Object.entries(s.users)) users[u] = (users[u] ?? 0) + n;
  return { day, printers: summaries.map(({ users: _u, day: _d, ...rest }) => rest), users };
}

export function dayTotalsRow(totals: DayTotals): Row {
  const printers = chunkedColumns(
    "Printers",
    totals.printers.map((p) => [
      p.printerId,
      { n: p.printerName ?? null, j: p.jobs, s: p.states, ...(p.hours ? { h: p.hours } : {}) },
    ]),
    8,
  );
  const users = chunkedColumns(
    "Users",
    Object.entries(totals.users).sort(([, a], [, b]) => b - a),
    6,
  );
  return {
    partitionKey: dayKey(totals.day),
    rowKey: dayRowKey,
    Day: totals.day,
    ...printers.columns,
    ...users.columns,
    ...(printers.cut ? { PrintersCut: true } : {}),
    ...(users.cut ? { UsersCut: true } : {}),
    Dirty: false,
    ComputedDateTime: new Date().toISOString(),
  };
}

/** 24 hour counts, or undefined when missing or malformed. */
export function hoursOf(value: unknown): number[] | undefined {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  return Array.isArray(parsed) && parsed.length === 24 && parsed.every((n) => typeof n === "number")
    ? (parsed as number[])
    : undefined;
}

export function dayTotalsOfRow(row: Record<string, unknown>): DayTotals {
  const printers = Object.entries(readChunks(row, "Printers")).map(([printerId, raw]) => {
    const p = (raw ?? {}) as { n?: unknown; j?: unknown; s?: unknown; h?: unknown };
    const hours = hoursOf(p.h);
    return {
      printerId,
      ...(typeof p.n === "string" ? { printerName: p.n } : {}),
      jobs: Number(p.j ?? 0),
      states: parseCounts(JSON.stringify(p.s ?? {})),
      ...(hours ? { hours } : {}),
    };
  });
  return { day: String(row.Day), printers, users: parseCounts(JSON.stringify(readChunks(row, "Users"))) };
}

function parseCounts(value: unknown): Record<string, number> {
  if (typeof value !== "string") return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).filter(
        (e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1]),
      ),
    );
  } catch {
    return {};
  }
}

/** A stored summary row back as a summary. */
export function summaryOfRow(row: Record<string, unknown>): DaySummary {
  const users = parseCounts(JSON.stringify(readChunks(row, "Users")));
  const hours = hoursOf(row.Hours);
  return {
    ...(hours ? { hours } : {}),
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
export async function markSummaries(
  store: AuditStore,
  historyRows: readonly Row[],
  touched?: Map<string, { day: string; printerId: string }>,
): Promise<void> {
  const targets = summaryTargets(historyRows);
  if (targets.size === 0) return;
  const client = await store.table(store.tables.summaries);
  for (const [key, { day, printerId }] of targets) {
    await client.upsertEntity(
      { partitionKey: dayKey(day), rowKey: printerId, Day: day, PrinterId: printerId, Dirty: true },
      "Merge",
    );
    touched?.set(key, { day, printerId });
  }
  // The day rows after their printers' rows: a reader that cleans a day row has then seen the printer row Dirty or its new counts.
  for (const day of new Set([...targets.values()].map((t) => t.day))) {
    await client.upsertEntity({ partitionKey: dayKey(day), rowKey: dayRowKey, Day: day, Dirty: true }, "Merge");
  }
}

/** Every history row of one printer created on one UTC day (the columns a summary needs). */
async function historyOfDay(store: AuditStore, day: string, printerId: string): Promise<StoredRow[]> {
  const jobs = await store.table(store.tables.jobs);
  const { ge, lt } = dayRange(day);
  const filter = odata`PartitionKey eq ${printerId} and RowKey ge ${ge} and RowKey lt ${lt}`;
  const rows: StoredRow[] = [];
  for await (const page of jobs
    .listEntities({ queryOptions: { filter, select: historyColumns } })
    .byPage({ maxPageSize: 1000 }))
    rows.push(...page);
  return rows;
}

export async function getSummaryRow(
  client: TableClient,
  day: string,
  printerId: string,
): Promise<StoredRow | undefined> {
  try {
    return await client.getEntity(dayKey(day), printerId);
  } catch (error) {
    if (isRestError(error) && error.statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * Recomputes one day and printer from the history if it is Dirty (or missing), writing it
 * back only under the etag read before the history was read. Returns the summary as stored, or undefined
 * when other writers kept moving it (it stays Dirty, and the next reader or run computes it).
 */
export async function refreshSummary(
  store: AuditStore,
  day: string,
  printerId: string,
): Promise<DaySummary | undefined> {
  const client = await store.table(store.tables.summaries);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const existing = await getSummaryRow(client, day, printerId);
    if (existing && existing.Dirty !== true) return summaryOfRow(existing);
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
export async function refreshSummaries(
  store: AuditStore,
  targets: Iterable<{ day: string; printerId: string }>,
  concurrency = 4,
): Promise<void> {
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

/** Recomputes printers' summaries and then their days' totals (which hold the busiest people too), now rather than on the next read. */
export async function refreshSummariesAndDays(
  store: AuditStore,
  targets: Iterable<{ day: string; printerId: string }>,
): Promise<void> {
  const list = [...targets];
  await refreshSummaries(store, list);
  for (const day of new Set(list.map((t) => t.day))) await readDay(store, day);
}

/**
 * Recomputes every summary left Dirty (a rewrite or a run that stopped between marking and recomputing): one
 * query of the Summaries table. The privacy rewrite calls it while a rewrite is in progress, so a crash never
 * leaves a person's old identifier in a count.
 */
export async function refreshDirtySummaries(store: AuditStore): Promise<number> {
  const dirty = await store.rowsWhere(store.tables.summaries, odata`Dirty eq true`, ["PartitionKey", "RowKey", "Day"]);
  const printers = dirty
    .filter((r) => r.rowKey !== dayRowKey)
    .map((r) => ({ day: String(r.Day ?? dayOfKey(String(r.partitionKey))), printerId: String(r.rowKey) }));
  await refreshSummariesAndDays(store, printers);
  for (const day of new Set(
    dirty.filter((r) => r.rowKey === dayRowKey).map((r) => String(r.Day ?? dayOfKey(String(r.partitionKey)))),
  ))
    await readDay(store, day);
  return dirty.length;
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
export async function readDay(store: AuditStore, day: string, printerId?: string): Promise<DayTotals> {
  const client = await store.table(store.tables.summaries);
  let cached: StoredRow | undefined;
  if (!printerId) {
    cached = await getSummaryRow(client, day, dayRowKey);
    // A day too big for its row (thousands of printers or people) is added up from its printers' rows instead.
    if (cached && cached.Dirty !== true && cached.PrintersCut !== true && cached.UsersCut !== true)
      return dayTotalsOfRow(cached);
  }
  const filter = printerId
    ? odata`PartitionKey eq ${dayKey(day)} and RowKey eq ${printerId}`
    : odata`PartitionKey eq ${dayKey(day)} and RowKey ne ${dayRowKey}`;
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
  const totals = dayTotalsOf(
    day,
    out.sort((a, b) => (a.printerId < b.printerId ? -1 : 1)),
  );
  // Cache the day only from printer rows that were all clean when read, under the etag read before them.
  if (!printerId && dirty.length === 0 && out.length > 0) {
    try {
      if (cached) await client.updateEntity(dayTotalsRow(totals), "Replace", { etag: cached.etag });
      else await client.createEntity(dayTotalsRow(totals));
    } catch (error) {
      if (!isStale(error)) throw error;
    }
  }
  return totals;
}

/** Marks and recomputes some days and printers (retention's boundary day, rebuilds): the day rows follow. */
async function recompute(store: AuditStore, targets: Map<string, { day: string; printerId: string }>): Promise<void> {
  const client = await store.table(store.tables.summaries);
  for (const { day, printerId } of targets.values())
    await client.upsertEntity(
      { partitionKey: dayKey(day), rowKey: printerId, Day: day, PrinterId: printerId, Dirty: true },
      "Merge",
    );
  for (const day of new Set([...targets.values()].map((t) => t.day)))
    await client.upsertEntity({ partitionKey: dayKey(day), rowKey: dayRowKey, Day: day, Dirty: true }, "Merge");
  await refreshSummaries(store, targets.values());
}

/**
 * Rebuilds the summaries of a range of days from the history already recorded (for audits recorded before
 * the summaries existed): one pass over each printer's history of the range, then a recompute per day and
 * printer found. Idempotent; safe to run again or to interrupt.
 */
export async function rebuildSummaries(
  store: AuditStore,
  printerIds: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<number> {
  const jobs = await store.table(store.tables.jobs);
  const targets = new Map<string, { day: string; printerId: string }>();
  for (const printerId of printerIds) {
    const filter = odata`PartitionKey eq ${printerId} and RowKey ge ${invertedTime(toMs)} and RowKey le ${`${invertedTime(fromMs)}}`}`;
    for await (const row of jobs.listEntities({ queryOptions: { filter, select: ["RowKey"] } })) {
      const day = dayOfHistoryKey(String(row.rowKey));
      targets.set(`${day}\n${printerId}`, { day, printerId });
    }
  }
  await recompute(store, targets);
  return targets.size;
}

/** Retention: the summaries of days wholly before the cutoff go; the cutoff's own day is recomputed from what is left. */
export async function purgeSummaries(
  store: AuditStore,
  cutoffMs: number,
  options: { shouldStop?: () => boolean } = {},
): Promise<{ deleted: number; stopped: boolean }> {
  const cutoffDay = dayOf(cutoffMs);
  // Older days have larger keys.
  const result = await store.deleteWhere(store.tables.summaries, odata`PartitionKey gt ${dayKey(cutoffDay)}`, options);
  if (result.stopped) return result;
  const client = await store.table(store.tables.summaries);
  const targets = new Map<string, { day: string; printerId: string }>();
  for await (const row of client.listEntities({
    queryOptions: {
      filter: odata`PartitionKey eq ${dayKey(cutoffDay)} and RowKey ne ${dayRowKey}`,
      select: ["RowKey"],
    },
  })) {
    targets.set(String(row.rowKey), { day: cutoffDay, printerId: String(row.rowKey) });
  }
  await recompute(store, targets);
  return result;
}
