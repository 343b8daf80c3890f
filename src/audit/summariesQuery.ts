/**
 * GET /api/audit/summaries: the daily summaries of a range of UTC days (at most 366), every printer or
 * one, read from the summary rows kept at record time (one partition per day, read in parallel), never
 * from the history itself. Jobs count once, on the UTC day they were created, in their latest state.
 */
import { type SummaryAnswer } from "../contract/auditAnswers";
import { isGuid, shown, single } from "../validation";
import { type PrivacySettings } from "./snapshot";
import { type AuditStore } from "./store";
import { dayOf, readDay, type DayTotals } from "./summaries";
import { InputError } from "../errors";

const dayMs = 86_400_000;
export const maxSummaryDays = 366;
export const defaultSummaryDays = 31;
const allowedOptions = new Set(["from", "to", "printerId", "top", "code"]);

export interface SummaryQuery {
  from: string;
  to: string;
  printerId?: string;
  /** How many of the busiest people to list. */
  top: number;
}

function parseDay(name: "from" | "to", raw: string): string {
  const value = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    // Date.parse rolls 2026-02-30 over to March: a real calendar date round-trips.
    if (Number.isFinite(ms) && dayOf(ms) === value) return value;
  }
  throw new InputError(name, `${name} must be a calendar date (UTC day) such as 2026-11-24; got ${shown(raw)}.`);
}

/** Validates the summaries route's options completely, naming the first bad one. */
export function parseSummaryQuery(query: URLSearchParams, now = new Date()): SummaryQuery {
  for (const name of query.keys()) {
    if (!allowedOptions.has(name)) {
      throw new InputError(
        name,
        `Query option ${shown(name)} is not supported here; use ${[...allowedOptions].filter((n) => n !== "code").join(", ")}.`,
      );
    }
  }
  const fromRaw = single(query, "from");
  const toRaw = single(query, "to");
  const to =
    toRaw !== undefined
      ? parseDay("to", toRaw)
      : fromRaw !== undefined
        ? dayOf(
            Math.min(
              Date.parse(`${parseDay("from", fromRaw)}T00:00:00Z`) + (defaultSummaryDays - 1) * dayMs,
              now.getTime(),
            ),
          )
        : dayOf(now.getTime());
  const from =
    fromRaw !== undefined
      ? parseDay("from", fromRaw)
      : dayOf(Date.parse(`${to}T00:00:00Z`) - (defaultSummaryDays - 1) * dayMs);
  if (from > to) throw new InputError("from", "from is later than to.");
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs + 1;
  if (days > maxSummaryDays)
    throw new InputError(
      "to",
      `A summary covers at most ${maxSummaryDays} days; this range has ${days}. Narrow from and to.`,
    );
  const result: SummaryQuery = { from, to, top: 10 };
  const printerId = single(query, "printerId");
  if (printerId !== undefined) {
    if (!isGuid(printerId))
      throw new InputError("printerId", `printerId must be a printer GUID; got ${shown(printerId)}.`);
    result.printerId = printerId.toLowerCase();
  }
  const top = single(query, "top");
  if (top !== undefined) {
    if (!/^\d{1,3}$/.test(top) || Number(top) < 1 || Number(top) > 100)
      throw new InputError(
        "top",
        `top (the busiest people listed) must be a whole number from 1 to 100; got ${shown(top)}.`,
      );
    result.top = Number(top);
  }
  return result;
}

const stateOrder = ["pending", "processing", "paused", "stopped", "completed", "canceled", "aborted"];

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/** Every UTC day from `from` to `to`, inclusive. */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += dayMs) days.push(dayOf(ms));
  return days;
}

/** Adds up day summaries into the route's answer. */
export function combineSummaries(
  q: SummaryQuery,
  perDay: Map<string, DayTotals>,
  privacy: PrivacySettings,
): SummaryAnswer {
  const days: SummaryAnswer["days"] = [];
  const printers = new Map<string, SummaryAnswer["printers"][number]>();
  const users: Record<string, number> = {};
  const states = new Set<string>();
  let jobs = 0;
  for (const day of daysOf(q.from, q.to)) {
    const entry = { day, jobs: 0, states: {} as Record<string, number> };
    // Oldest day first here: a printer's name is the one it had on its newest day.
    const totals = perDay.get(day);
    if (totals) add(users, totals.users);
    for (const s of totals?.printers ?? []) {
      entry.jobs += s.jobs;
      add(entry.states, s.states);
      const p = printers.get(s.printerId) ?? {
        printerId: s.printerId,
        printerName: null,
        jobs: 0,
        aborted: 0,
        canceled: 0,
        states: {},
      };
      p.jobs += s.jobs;
      p.aborted += s.states.aborted ?? 0;
      p.canceled += s.states.canceled ?? 0;
      add(p.states, s.states);
      if (s.printerName !== undefined) p.printerName = s.printerName;
      printers.set(s.printerId, p);
    }
    for (const state of Object.keys(entry.states)) states.add(state);
    jobs += entry.jobs;
    days.push(entry);
  }
  const rank = (s: string): number => (stateOrder.includes(s) ? stateOrder.indexOf(s) : stateOrder.length);
  return {
    from: q.from,
    to: q.to,
    timeZone: "UTC",
    jobs,
    states: [...states].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)),
    days,
    printers: [...printers.values()].sort((a, b) => b.jobs - a.jobs || a.printerId.localeCompare(b.printerId)),
    users: Object.entries(users)
      .map(([user, n]) => ({ user, jobs: n }))
      .sort((a, b) => b.jobs - a.jobs || a.user.localeCompare(b.user))
      .slice(0, q.top),
    usersRecorded: privacy.redactUsers !== "omit",
  };
}

/** Reads the range's summary rows (one query per day, a few days at a time) and adds them up. */
export async function readSummaries(
  store: AuditStore,
  q: SummaryQuery,
  privacy: PrivacySettings,
  concurrency = 8,
): Promise<SummaryAnswer> {
  const days = daysOf(q.from, q.to);
  const perDay = new Map<string, DayTotals>();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, days.length) }, async () => {
      while (next < days.length) {
        const day = days[next++]!;
        perDay.set(day, await readDay(store, day, q.printerId));
      }
    }),
  );
  return combineSummaries(q, perDay, privacy);
}
