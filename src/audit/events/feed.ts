/**
 * The events feed: what the audit observed, in the order it observed it. One event row per job history
 * row, derived from it alone (see derived.ts), in the Events table:
 *
 *   Events   PK = <yyyyMMddHH of ObservedDateTime>   RK = <observed yyyyMMddTHHmmssfffZ>|<printerId>|<history RowKey>
 *
 * The RowKey starts with the observation time and the PartitionKey is that time's hour, so RowKey order is
 * the feed's order across partitions (time, then printer, then the history key: a stable tie-break), and a
 * replay derives the same key from the same history row ("create": never a duplicate).
 *
 * A cursor is a RowKey position. A reader only reads below the safe watermark: an instant before which no
 * event can still appear. Events are written by runs that are still open (their run row is queued, running,
 * or failed/poisoned without a later success of the same printer), and every event of a run is observed
 * after its run id's time; so the watermark is the oldest open run's time (or now), minus a margin for
 * clocks. A cursor never passes it, so a slow or crashed run's events are never skipped.
 */
import { isGuid } from "../../validation";
import { runIdFloor, runIdPattern } from "../keys";
import { jobColumns, type PrivacySettings } from "../snapshot";
import { odata, type AuditStore, type StoredRow } from "../store";
import { eventTimeKey } from "./eventRows";
import { positionPattern, type EventCursor } from "./cursors";
import { eventFilter, type EventFilter } from "./feedFilter";

export { eventFilter, type EventFilter } from "./feedFilter";

/** Tuning of the watermark; tests shorten it (like auditFaultPoints), the app keeps the defaults. */
export const eventFeedTuning = {
  /** Clock differences between the instances that observe, open runs and read. */
  safetyMarginMs: 5_000,
  /** A run row open longer than this (a lost message, a printer no longer audited) stops holding the feed back. */
  maxOpenRunAgeMs: 2 * 3_600_000,
};

// ---- the safe watermark ------------------------------------------------------------------------------------

/**
 * The instant before which every event is written: the oldest open run's time, or now, less the margin.
 * One query of the recent run rows that did not succeed. A failed or poisoned run holds the feed only if it
 * failed between history and events (DerivedPending), until a later success of its printer (that run derives
 * what the failed one left half-written, at its recorded observation time), and for one audit interval at most
 * (HoldsFeedUntil): a printer that keeps failing does not hold every other printer's events.
 */
export async function safeWatermark(store: AuditStore, now = Date.now()): Promise<number> {
  const { safetyMarginMs, maxOpenRunAgeMs } = eventFeedTuning;
  const floor = runIdFloor(now - maxOpenRunAgeMs);
  const unfinished = await store.rowsWhere(
    store.tables.runs,
    odata`PartitionKey ge ${floor} and Status ne ${"succeeded"}`,
    ["PartitionKey", "RowKey", "Status", "DerivedPending", "HoldsFeedUntil"],
  );
  let oldest = now;
  const closedAfter = new Map<string, Promise<string | undefined>>();
  for (const run of unfinished.sort((a, b) => (a.partitionKey! < b.partitionKey! ? -1 : 1))) {
    const runId = String(run.partitionKey);
    // Only a printer's row of a run (not the run's redaction row, nor the index backfill's marker) is an audit still writing.
    if (!runIdPattern.test(runId) || !isGuid(String(run.rowKey))) continue;
    const opened = runIdTime(runId);
    if (opened >= oldest) break;
    if (run.Status === "failed" || run.Status === "poisoned") {
      // A failure elsewhere (Graph, most often) left no history without its events: nothing more can appear.
      if (run.DerivedPending !== true) continue;
      if (typeof run.HoldsFeedUntil === "string" && Date.parse(run.HoldsFeedUntil) <= now) continue;
      const printerId = String(run.rowKey);
      // The first later success of this printer; one query per printer with a failure, not per run.
      let later = closedAfter.get(printerId);
      if (!later) {
        later = store
          .rowsWhere(
            store.tables.runs,
            odata`PartitionKey gt ${runId} and RowKey eq ${printerId} and Status eq ${"succeeded"}`,
            ["PartitionKey"],
            1,
          )
          .then((rows) => rows[0]?.partitionKey);
        closedAfter.set(printerId, later);
      }
      const success = await later;
      if (success !== undefined && success > runId) continue;
    }
    oldest = opened;
    break;
  }
  return oldest - safetyMarginMs;
}

/** The instant at the start of an event key or run id (20261124T055012345Z…). */
export function timeOfEventKey(key: string): number {
  return runIdTime(key);
}

/** The time a run was opened, from its id (20261124T055012345Z-1a2b3c). */
export function runIdTime(runId: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(runId);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!) : NaN;
}

// ---- reading ---------------------------------------------------------------------------------------------

export interface EventPage {
  /** Stored event rows, in feed order. */
  rows: StoredRow[];
  /** Where the next read starts: after the last event returned, or at the watermark when all was read. */
  next: EventCursor;
  /** More events are readable now (the page stopped at `top` or its scan budget). */
  more: boolean;
  watermark: number;
}

/**
 * Up to `top` events after a cursor and below the safe watermark, in feed order. Table Storage ends pages
 * at partition boundaries and after 5 s of scanning; a few are gathered, then the cursor says where to go on.
 */
export async function readEvents(
  store: AuditStore,
  options: {
    from?: EventCursor;
    filter: EventFilter;
    top: number;
    privacy: PrivacySettings;
    now?: number;
    pageBudget?: number;
    watermark?: number;
  },
): Promise<EventPage> {
  const watermark = options.watermark ?? (await safeWatermark(store, options.now));
  const upperKey = eventTimeKey(watermark);
  const { from, top } = options;
  if (from && (from.key > upperKey || (from.key === upperKey && !from.inclusive)))
    return { rows: [], next: from, more: false, watermark };
  const query = eventFilter(from, upperKey, options.filter, options.privacy);
  const rows: StoredRow[] = [];
  let token: string | undefined;
  for (let i = 0; i < (options.pageBudget ?? 20); i++) {
    const page = await store.queryPage(store.tables.events, query.filter, Math.min(1000, top - rows.length), token);
    rows.push(...page.rows.filter(query.keep));
    token = page.continuationToken;
    if (!token || rows.length >= top) break;
  }
  if (!token) return { rows, next: { key: upperKey, inclusive: true }, more: false, watermark };
  if (rows.length > 0) return { rows, next: { key: rows.at(-1)!.rowKey! }, more: true, watermark };
  // The scan budget ran out before a match: go on from where Table Storage stopped.
  const resume = continuationRowKey(token);
  return {
    rows,
    next: resume ? { key: resume, inclusive: true } : (from ?? { key: upperKey, inclusive: true }),
    more: true,
    watermark,
  };
}

function continuationRowKey(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { nextRowKey?: unknown };
    return typeof parsed.nextRowKey === "string" && positionPattern.test(parsed.nextRowKey)
      ? parsed.nextRowKey
      : undefined;
  } catch {
    return undefined;
  }
}

/** The cursor of "now": every event readable so far is behind it (a trigger's first poll). */
export async function currentCursor(store: AuditStore, now?: number): Promise<EventCursor> {
  return { key: eventTimeKey(await safeWatermark(store, now)), inclusive: true };
}

/** An event as the API shows it: the history row's columns (null when not recorded) and its feed id. */
export function publicEvent(row: Record<string, unknown>): Record<string, unknown> {
  return { EventId: String(row.rowKey), ...Object.fromEntries(jobColumns.map((c) => [c, row[c] ?? null])) };
}

/** The history RowKey an event came from (after the time and the printer id). */
export function historyKeyOf(eventRowKey: string): string {
  const first = eventRowKey.indexOf("|");
  const second = eventRowKey.indexOf("|", first + 1);
  return eventRowKey.slice(second + 1);
}
