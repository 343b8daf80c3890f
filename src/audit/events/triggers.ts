/**
 * What the two polling triggers deliver, evaluated over the events feed after a cursor and below the safe
 * watermark, so each cursor advance delivers each item once:
 *
 * - a job finished: an event in one of the chosen end states whose previous recorded state was another
 *   (a job recorded again in the same end state, e.g. acknowledged later, is not delivered twice; a job that
 *   reaches an end state again after leaving it is);
 * - a printer keeps failing: the event of a printer's Nth distinct aborted job within the window (N and the
 *   window chosen by the flow maker); it fires again whenever the count climbs back to N.
 */
import { type EventCursor } from "./cursors";
import { eventTimeKey } from "./eventRows";
import { historyKeyOf, publicEvent, readEvents, timeOfEventKey, type EventPage } from "./feed";
import { sequenceKey } from "../keys";
import { mapLimit } from "../concurrency";
import { type PrivacySettings } from "../snapshot";
import { type AuditStore, type StoredRow } from "../store";

/** The most items one poll delivers; the rest come with the next poll (the cursor stops at the last one delivered). */
export const triggerPageSize = 100;

export interface TriggerBatch<T> {
  value: T[];
  next: EventCursor;
  more: boolean;
}

/** Whether the job's previous recorded state (sequence - 1) was a different state: the event entered its state. */
async function enteredState(store: AuditStore, event: StoredRow): Promise<boolean> {
  const sequence = Number(event.Sequence ?? 0);
  if (!(sequence > 1)) return true;
  const [keyTime, jobKey] = historyKeyOf(String(event.rowKey)).split("|");
  if (!keyTime || !jobKey) return true;
  const previous = await store.rowsWithPrefix(
    store.tables.jobs,
    String(event.PrinterId),
    `${keyTime}|${jobKey}|${sequenceKey(sequence - 1)}|`,
    ["JobState"],
  );
  return !previous.some((row) => row.JobState === event.JobState);
}

/** Jobs that finished (in one of `states`) after the cursor, oldest first, at most a page. */
export async function finishedJobs(
  store: AuditStore,
  options: {
    from: EventCursor;
    printerId?: string;
    states: readonly string[];
    user?: string;
    privacy: PrivacySettings;
    now?: number;
  },
): Promise<TriggerBatch<Record<string, unknown>>> {
  const page: EventPage = await readEvents(store, {
    from: options.from,
    filter: { printerId: options.printerId, states: options.states, user: options.user },
    top: triggerPageSize,
    privacy: options.privacy,
    now: options.now,
  });
  const entered = await mapLimit(page.rows, 8, (row) => enteredState(store, row));
  return { value: page.rows.filter((_, i) => entered[i]).map(publicEvent), next: page.next, more: page.more };
}

export interface PrinterFailingAlert {
  AlertId: string;
  PrinterId: string;
  PrinterName: string | null;
  AbortedJobs: number;
  Window: string;
  FirstAbortedDateTime: string;
  LastAbortedDateTime: string;
  JobIds: string;
  ErrorCodes: string | null;
  LastJobId: string;
  LastErrorCode: number | null;
}

const maxFailingScan = 5_000;

export interface PrinterFailingOptions {
  from: EventCursor;
  printerId?: string;
  threshold: number;
  windowMs: number;
  window: string;
  privacy: PrivacySettings;
  now?: number;
}

/**
 * Printers whose Nth distinct aborted job within the window was observed after the cursor. Reads the
 * aborted events from one window before the cursor up to the watermark (the window's earlier jobs count).
 */
export async function failingPrinters(
  store: AuditStore,
  options: PrinterFailingOptions,
): Promise<TriggerBatch<PrinterFailingAlert>> {
  const { rows, position, more } = await readAbortedEvents(store, options);
  const alerts: { key: string; alert: PrinterFailingAlert }[] = [];
  for (const [printerId, events] of firstAbortedByPrinter(rows)) alerts.push(...alertsOf(printerId, events, options));
  alerts.sort((a, b) => (a.key < b.key ? -1 : 1));
  // When the scan was cut short, the cursor stops at the last event read: the rest is evaluated next poll.
  const lastRead = rows.at(-1)?.rowKey;
  const next: EventCursor = !more
    ? position
    : lastRead !== undefined && lastRead > options.from.key
      ? { key: lastRead }
      : options.from;
  return { value: alerts.map((a) => a.alert), next, more };
}

/** The aborted events from one window before the cursor up to the watermark, at most about 5,000. */
async function readAbortedEvents(
  store: AuditStore,
  options: PrinterFailingOptions,
): Promise<{ rows: StoredRow[]; position: EventCursor; more: boolean }> {
  const filter = { printerId: options.printerId, states: ["aborted"] };
  const rows: StoredRow[] = [];
  let position: EventCursor = {
    key: eventTimeKey(timeOfEventKey(options.from.key) - options.windowMs),
    inclusive: true,
  };
  let watermark: number | undefined;
  for (;;) {
    const page = await readEvents(store, {
      from: position,
      filter,
      top: 1000,
      privacy: options.privacy,
      now: options.now,
      watermark,
    });
    watermark = page.watermark;
    rows.push(...page.rows);
    position = page.next;
    if (!page.more) return { rows, position, more: false };
    if (rows.length >= maxFailingScan) return { rows, position, more: true };
  }
}

/** The first aborted event of each job (a job recorded twice as aborted counts once), by printer. */
function firstAbortedByPrinter(rows: readonly StoredRow[]): Map<string, StoredRow[]> {
  const firstByJob = new Map<string, StoredRow>();
  for (const row of rows) {
    const job = `${row.PrinterId}|${row.JobId}`;
    if (!firstByJob.has(job)) firstByJob.set(job, row);
  }
  const byPrinter = new Map<string, StoredRow[]>();
  for (const row of firstByJob.values()) {
    const list = byPrinter.get(String(row.PrinterId)) ?? [];
    list.push(row);
    byPrinter.set(String(row.PrinterId), list);
  }
  return byPrinter;
}

/** A printer's alerts: each event after the cursor that makes the count within the window reach the threshold. */
function alertsOf(
  printerId: string,
  events: StoredRow[],
  options: PrinterFailingOptions,
): { key: string; alert: PrinterFailingAlert }[] {
  const isNew = (row: StoredRow): boolean =>
    options.from.inclusive ? row.rowKey! >= options.from.key : row.rowKey! > options.from.key;
  const alerts: { key: string; alert: PrinterFailingAlert }[] = [];
  events.sort((a, b) => (a.rowKey! < b.rowKey! ? -1 : 1));
  let start = 0;
  for (let i = 0; i < events.length; i++) {
    const at = Date.parse(String(events[i]!.ObservedDateTime));
    while (Date.parse(String(events[start]!.ObservedDateTime)) <= at - options.windowMs) start++;
    const inWindow = events.slice(start, i + 1);
    if (inWindow.length !== options.threshold || !isNew(events[i]!)) continue;
    alerts.push({ key: String(events[i]!.rowKey), alert: alertOf(printerId, inWindow, options.window) });
  }
  return alerts;
}

function alertOf(printerId: string, inWindow: StoredRow[], window: string): PrinterFailingAlert {
  const last = inWindow.at(-1)!;
  const codes = [
    ...new Set(
      inWindow
        .map((e) => e.ErrorCode)
        .filter((c) => c !== undefined && c !== null)
        .reverse()
        .map(String),
    ),
  ];
  return {
    AlertId: String(last.rowKey),
    PrinterId: printerId,
    PrinterName: typeof last.PrinterName === "string" ? last.PrinterName : null,
    AbortedJobs: inWindow.length,
    Window: window,
    FirstAbortedDateTime: String(inWindow[0]!.ObservedDateTime),
    LastAbortedDateTime: String(last.ObservedDateTime),
    JobIds: inWindow.map((e) => String(e.JobId)).join(","),
    ErrorCodes: codes.length > 0 ? codes.join(",") : null,
    LastJobId: String(last.JobId),
    LastErrorCode: typeof last.ErrorCode === "number" ? last.ErrorCode : null,
  };
}
