/**
 * STOPGAP for `GET /api/audit/jobs?latest=true` until the read API runs on the indexes (issue 12, points
 * 1-2): each job once, in its latest recorded state, across printers, newest job first (created time, then
 * printer id, then job id), a page at a time. It walks the UTC days newest first; the daily summary rows
 * (summaries.ts) say which printers have jobs on a day, and each of those printers' history of that day
 * (one partition, one RowKey range) is read only as far as the page needs. Nothing outside this file and
 * the few lines that call it in listAuditJobs.ts knows about it, so the index-based version replaces it whole.
 *
 * The continuation token has the SDK's shape (base64 JSON with nextPartitionKey = the day's summary key,
 * nextRowKey = "<keyTime>|<printerId>|<jobKey>" of the last job handed out).
 */
import { odata } from "@azure/data-tables";
import { InputError, shown } from "../jobs/request";
import { invertedTime, prefixEnd, timeOfInverted } from "./keys";
import { publicRow, type HistoryPage, type HistoryQuery } from "./query";
import { userFilterValues, type PrivacySettings } from "./snapshot";
import { type AuditStore, type StoredRow } from "./store";
import { dayKey, dayOf, dayOfKey, dayRange, dayRowKey, dayTotalsOfRow, getSummaryRow, hoursOf } from "./summaries";

const dayMs = 86_400_000;

/** Splits `latest` off the query (the rest goes to the usual validation). */
export function takeLatestOption(query: URLSearchParams): { latest: boolean; rest: URLSearchParams } {
  const values = query.getAll("latest");
  if (values.length > 1) throw new InputError("latest", `latest was given ${values.length} times; give it once.`);
  if (values.length === 1 && values[0] !== "true" && values[0] !== "false") throw new InputError("latest", `latest must be true or false; got ${shown(values[0]!)}.`);
  const rest = new URLSearchParams(query);
  rest.delete("latest");
  return { latest: values[0] === "true", rest };
}

interface Position {
  day: string;
  after?: { keyTime: string; printerId: string; jobKey: string };
}

function encode(position: Position): string {
  const after = position.after ? `${position.after.keyTime}|${position.after.printerId}|${position.after.jobKey}` : "";
  return Buffer.from(JSON.stringify({ nextPartitionKey: dayKey(position.day), nextRowKey: after })).toString("base64");
}

function decode(token: string): Position {
  const bad = new InputError("continuationToken", "continuationToken is not one this API handed out for latest=true; start again without it.");
  let parsed: { nextPartitionKey?: unknown; nextRowKey?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as typeof parsed;
  } catch {
    throw bad;
  }
  if (typeof parsed.nextPartitionKey !== "string" || !/^\d{8}$/.test(parsed.nextPartitionKey)) throw bad;
  const day = dayOfKey(parsed.nextPartitionKey);
  if (!Number.isFinite(Date.parse(`${day}T00:00:00Z`))) throw bad;
  if (parsed.nextRowKey === "" || parsed.nextRowKey === undefined) return { day };
  const m = typeof parsed.nextRowKey === "string" ? /^(\d{13})\|([^|]+)\|([^|]+)$/.exec(parsed.nextRowKey) : null;
  if (!m) throw bad;
  return { day, after: { keyTime: m[1]!, printerId: m[2]!, jobKey: m[3]! } };
}

interface Candidate {
  keyTime: string;
  printerId: string;
  jobKey: string;
  row: StoredRow;
}

/** Code-unit order, as Table Storage orders keys (jobs of one instant as their RowKey prefixes "<jobKey>|" sort). */
function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compare(a: { keyTime: string; printerId: string; jobKey: string }, b: { keyTime: string; printerId: string; jobKey: string }): number {
  return order(a.keyTime, b.keyTime) || order(a.printerId, b.printerId) || order(`${a.jobKey}|`, `${b.jobKey}|`);
}

function statesOf(value: unknown): Record<string, number> | undefined {
  try {
    return typeof value === "string" ? (JSON.parse(value) as Record<string, number>) : undefined;
  } catch {
    return undefined;
  }
}

function later(a: StoredRow, b: StoredRow): boolean {
  const seq = Number(a.Sequence ?? 0) - Number(b.Sequence ?? 0);
  if (seq !== 0) return seq > 0;
  const observed = String(a.ObservedDateTime ?? "").localeCompare(String(b.ObservedDateTime ?? ""));
  return observed !== 0 ? observed > 0 : String(a.rowKey) > String(b.rowKey);
}

/** The newest day at or before `day` (and not before `fromDay`) with a summary row, for one printer or any. */
async function dayAtOrBefore(store: AuditStore, day: string, fromDay: string | undefined, printerId: string | undefined): Promise<string | undefined> {
  const client = await store.table(store.tables.summaries);
  const parts = [odata`PartitionKey ge ${dayKey(day)}`];
  if (fromDay) parts.push(odata`PartitionKey le ${dayKey(fromDay)}`);
  if (printerId) parts.push(odata`RowKey eq ${printerId}`);
  for await (const page of client.listEntities({ queryOptions: { filter: parts.join(" and "), select: ["PartitionKey"] } }).byPage({ maxPageSize: 1 })) {
    if (page.length > 0) return dayOfKey(String(page[0]!.partitionKey));
  }
  return undefined;
}

/** Up to `need` matching jobs of one printer on one day after a position, newest first; `done` when its day is read to the end. */
async function printerJobs(
  store: AuditStore,
  printerId: string,
  range: { ge: string; lt: string },
  matches: (row: StoredRow) => boolean,
  need: number,
): Promise<{ jobs: Candidate[]; done: boolean }> {
  const jobs = await store.table(store.tables.jobs);
  const filter = odata`PartitionKey eq ${printerId} and RowKey ge ${range.ge} and RowKey lt ${range.lt}`;
  const found: Candidate[] = [];
  let current: { prefix: string; row: StoredRow } | undefined;
  const close = (): void => {
    if (!current) return;
    if (matches(current.row)) {
      const [keyTime, jobKey] = current.prefix.split("|");
      found.push({ keyTime: keyTime!, printerId, jobKey: jobKey!, row: current.row });
    }
    current = undefined;
  };
  for await (const page of jobs.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: Math.min(1000, need * 2 + 10) })) {
    for (const row of page) {
      const rowKey = String(row.rowKey);
      const prefix = rowKey.slice(0, rowKey.indexOf("|", 14));
      if (current && current.prefix !== prefix) {
        close();
        if (found.length >= need) return { jobs: found, done: false };
      }
      if (!current) current = { prefix, row };
      else if (later(row, current.row)) current.row = row;
    }
  }
  close();
  return { jobs: found, done: true };
}

/** Where one printer's reading of a day starts, after the position (ordered by created time, then printer, then job). */
function startKey(printerId: string, lowest: string, after: Position["after"]): string {
  if (!after) return lowest;
  const start = printerId > after.printerId ? after.keyTime : printerId === after.printerId ? prefixEnd(`${after.keyTime}|${after.jobKey}|`) : `${after.keyTime}}`;
  return start > lowest ? start : lowest;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

/** One page of jobs in their latest state, newest job first across printers. */
export async function listLatestJobsPage(store: AuditStore, q: HistoryQuery, privacy: PrivacySettings, budget = { ms: 5000 }): Promise<HistoryPage> {
  const endBy = Date.now() + budget.ms;
  const fromDay = q.fromMs !== undefined ? dayOf(q.fromMs) : undefined;
  const users = q.user !== undefined ? new Set(userFilterValues(q.user, privacy)) : undefined;
  const matches = (row: StoredRow): boolean =>
    (q.state === undefined || row.JobState === q.state) &&
    (users === undefined || users.has(String(row.CreatedBy ?? "")) || users.has(String(row.CreatedById ?? "")));
  let position: Position = q.continuationToken ? decode(q.continuationToken) : { day: dayOf(Math.min(q.toMs ?? Date.now() + 2 * dayMs, 8_000_000_000_000)) };
  const value: Record<string, unknown>[] = [];
  for (;;) {
    const day = await dayAtOrBefore(store, position.day, fromDay, q.printerId);
    if (!day) return { value };
    if (day !== position.day) position = { day };
    const { ge, lt } = dayRange(day);
    const dayStart = Date.parse(`${day}T00:00:00Z`);
    const lowest = q.toMs !== undefined && invertedTime(q.toMs) > ge ? invertedTime(q.toMs) : ge;
    const highest = q.fromMs !== undefined && `${invertedTime(q.fromMs)}}` < lt ? `${invertedTime(q.fromMs)}}` : lt;
    const printers = await printersOfDay(store, day, q);
    const previousDay = dayOf(dayStart - dayMs);
    // Within the day, a window of whole hours at a time, just big enough for the page by the hour counts:
    // only the printers with jobs in the window (or whose counts are not known yet) are read.
    for (;;) {
      const need = q.top - value.length;
      // After a window's start ("~"), what is left is older than that instant.
      const upperMs = position.after ? timeOfInverted(position.after.keyTime) - (position.after.printerId === "~" ? 1 : 0) : dayStart + dayMs - 1;
      const hour = Math.min(23, Math.max(0, Math.floor((upperMs - dayStart) / 3_600_000)));
      const inWindow = (p: DayPrinter, from: number): number => (p.hours ? p.hours.slice(from, hour + 1).reduce((a, b) => a + b, 0) : need);
      let first = hour;
      while (first > 0 && printers.reduce((n, p) => n + inWindow(p, first), 0) < need) first--;
      const windowStart = dayStart + first * 3_600_000;
      const windowEnd = `${invertedTime(windowStart)}}`;
      const asked = printers.filter((p) => inWindow(p, first) > 0);
      const read = await mapLimit(asked, 16, (p) =>
        printerJobs(store, p.printerId, { ge: startKey(p.printerId, lowest, position.after), lt: windowEnd < highest ? windowEnd : highest }, matches, need),
      );
      const candidates = read.flatMap((r) => r.jobs).sort(compare);
      const taken = candidates.slice(0, need);
      for (const c of taken) value.push(publicRow(c.row));
      const windowDone = read.every((r) => r.done) && taken.length === candidates.length;
      if (!windowDone) {
        const last = taken.at(-1)!;
        return { value, continuationToken: encode({ day, after: { keyTime: last.keyTime, printerId: last.printerId, jobKey: last.jobKey } }) };
      }
      // Past the window: every job created at or after its start has been seen ("~" sorts after every printer id).
      const olderInDay =
        first > 0 && (q.fromMs === undefined || windowStart > q.fromMs) && printers.some((p) => (p.hours ? p.hours.slice(0, first).some((n) => n > 0) : true));
      const rest: Position = { day, after: { keyTime: invertedTime(windowStart), printerId: "~", jobKey: "~" } };
      if (value.length >= q.top) {
        if (olderInDay) return { value, continuationToken: encode(rest) };
        // The day ended with the page: hand on a token only if an older day has jobs, so no page comes back empty.
        const older = fromDay !== undefined && previousDay < fromDay ? undefined : await dayAtOrBefore(store, previousDay, fromDay, q.printerId);
        return older ? { value, continuationToken: encode({ day: older }) } : { value };
      }
      if (!olderInDay) break;
      position = rest;
      if (Date.now() > endBy && value.length > 0) return { value, continuationToken: encode(position) };
    }
    if (fromDay !== undefined && previousDay < fromDay) return { value };
    position = { day: previousDay };
    if (Date.now() > endBy && value.length > 0) return { value, continuationToken: encode(position) };
  }
}

interface DayPrinter {
  printerId: string;
  /** Jobs per created UTC hour; undefined when not known (a summary not yet recomputed): always read. */
  hours?: number[];
}

/** The printers with jobs on a day (and, where known, by hour), from the day row or the printers' rows; none of the state asked for are left out. */
async function printersOfDay(store: AuditStore, day: string, q: HistoryQuery): Promise<DayPrinter[]> {
  const client = await store.table(store.tables.summaries);
  const keep = (states: Record<string, number> | undefined): boolean => q.state === undefined || states === undefined || (states[q.state] ?? 0) > 0;
  if (!q.printerId) {
    const cached = await getSummaryRow(client, day, dayRowKey);
    if (cached && cached.Dirty !== true && cached.PrintersCut !== true) {
      return dayTotalsOfRow(cached)
        .printers.filter((p) => p.jobs > 0 && keep(p.states))
        .map((p) => ({ printerId: p.printerId, hours: p.hours }));
    }
  }
  const filter = q.printerId ? odata`PartitionKey eq ${dayKey(day)} and RowKey eq ${q.printerId}` : odata`PartitionKey eq ${dayKey(day)} and RowKey ne ${dayRowKey}`;
  const printers: DayPrinter[] = [];
  for await (const row of client.listEntities({ queryOptions: { filter, select: ["RowKey", "Dirty", "States", "Hours"] } })) {
    // A marked row's counts may be behind its history: read that printer whatever they say.
    if (row.Dirty === true) printers.push({ printerId: String(row.rowKey) });
    else if (keep(statesOf(row.States))) printers.push({ printerId: String(row.rowKey), hours: hoursOf(row.Hours) });
  }
  return printers;
}
