/**
 * GET /api/audit/summaries: the daily summaries of a range of UTC days (at most 366), every printer or
 * one, read from the summary rows kept at record time (one partition per day, read in parallel), never
 * from the history itself. Jobs count once, on the UTC day they were created, in their latest state.
 */
import { type SummaryAnswer } from "../../contract/auditAnswers";
import {
  assertQueryAllowed,
  calendarDayStart,
  parsePrinterIdOption,
  parseWholeNumber,
  shown,
  single,
} from "../../validation";
import { type PrivacySettings } from "../snapshot";
import { type AuditStore } from "../store";
import { dayMs, dayOf, dayStart, readDays, type DayTotals } from "../summaries";
import { InputError } from "../../errors";

export const maxSummaryDays = 366;
export const defaultSummaryDays = 31;
const summaryOptions = ["from", "to", "printerId", "top"];

export interface SummaryQuery {
  from: string;
  to: string;
  printerId?: string;
  /** How many of the busiest people to list. */
  top: number;
}

/** The years a summary may cover: the audit cannot hold jobs from outside them. */
export const summaryYears = { first: 2000, last: 2100 };

function parseDay(name: "from" | "to", raw: string): string {
  const value = raw.trim();
  if (calendarDayStart(value) === undefined)
    throw new InputError(name, `${name} must be a calendar date (UTC day) such as 2026-11-24; got ${shown(raw)}.`);
  const year = Number(value.slice(0, 4));
  if (year < summaryYears.first || year > summaryYears.last)
    throw new InputError(
      name,
      `${name} must be a day from ${summaryYears.first}-01-01 to ${summaryYears.last}-12-31; got ${shown(raw)}.`,
    );
  return value;
}

/** Validates the summaries route's options completely, naming the first bad one. */
export function parseSummaryQuery(query: URLSearchParams, now = new Date()): SummaryQuery {
  assertQueryAllowed(query, summaryOptions, { target: "option" });
  const { from, to } = parseDayRange(query, now);
  const result: SummaryQuery = { from, to, top: 10 };
  const printerId = single(query, "printerId");
  if (printerId !== undefined) result.printerId = parsePrinterIdOption(printerId);
  const top = single(query, "top");
  if (top !== undefined) result.top = parseWholeNumber(top, "top", 1, 100, "top (the busiest people listed)");
  return result;
}

/** from and to, UTC days: 31 days up to today by default, or from one end; at most 366. */
function parseDayRange(query: URLSearchParams, now: Date): { from: string; to: string } {
  const fromRaw = single(query, "from");
  const toRaw = single(query, "to");
  const to =
    toRaw !== undefined
      ? parseDay("to", toRaw)
      : fromRaw !== undefined
        ? dayOf(Math.min(dayStart(parseDay("from", fromRaw)) + (defaultSummaryDays - 1) * dayMs, now.getTime()))
        : dayOf(now.getTime());
  const from =
    fromRaw !== undefined ? parseDay("from", fromRaw) : dayOf(dayStart(to) - (defaultSummaryDays - 1) * dayMs);
  if (from > to) throw new InputError("from", "from is later than to.");
  const days = (dayStart(to) - dayStart(from)) / dayMs + 1;
  if (days > maxSummaryDays)
    throw new InputError(
      "to",
      `A summary covers at most ${maxSummaryDays} days; this range has ${days}. Narrow from and to.`,
    );
  return { from, to };
}

const stateOrder = ["pending", "processing", "paused", "stopped", "completed", "canceled", "aborted"];

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/** Every UTC day from `from` to `to`, inclusive. */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let ms = dayStart(from); ms <= dayStart(to); ms += dayMs) days.push(dayOf(ms));
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

/** Reads the range's summary rows (one range query, and a day on its own only where that is not enough) and adds them up. */
export async function readSummaries(
  store: AuditStore,
  q: SummaryQuery,
  privacy: PrivacySettings,
  concurrency = 8,
): Promise<SummaryAnswer> {
  const perDay = await readDays(store, daysOf(q.from, q.to), { printerId: q.printerId, concurrency });
  return combineSummaries(q, perDay, privacy);
}
