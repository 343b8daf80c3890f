/** Daily summaries of a filter's jobs, computed in the browser from the audit rows. */
import { type Row } from "./api";
import { localDay, parseTime } from "./format";

export const knownStates = ["pending", "processing", "paused", "stopped", "completed", "canceled", "aborted"] as const;

export function text(value: unknown): string | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  return String(value);
}

export function stateOf(row: Row): string {
  return text(row.JobState) ?? "unknown";
}

/** A CSS class for a state: known states have colours, anything else is "unknown". */
export function stateClass(state: string): string {
  return (knownStates as readonly string[]).includes(state) ? state : "unknown";
}

export function userOf(row: Row): string {
  return text(row.CreatedBy) ?? text(row.CreatedByName) ?? text(row.CreatedById) ?? "(unknown user)";
}

export function printerLabel(row: Row): string {
  return text(row.PrinterName) ?? text(row.PrinterId) ?? "(unknown printer)";
}

function observed(row: Row): number {
  return parseTime(row.ObservedDateTime)?.getTime() ?? Number(row.Sequence ?? 0);
}

/** One row per job (the latest observation), should the API hand back several observations of a job. */
export function latestPerJob(rows: readonly Row[]): Row[] {
  const byJob = new Map<string, Row>();
  for (const row of rows) {
    const key = `${text(row.PrinterId) ?? ""}|${text(row.JobId) ?? ""}`;
    const seen = byJob.get(key);
    if (!seen || observed(row) >= observed(seen)) byJob.set(key, row);
  }
  return [...byJob.values()];
}

export interface Summary {
  jobs: number;
  days: string[];
  /** day -> state -> jobs */
  perDay: Map<string, Map<string, number>>;
  states: string[];
  printers: { id: string; name: string; total: number; aborted: number; canceled: number }[];
  users: { name: string; jobs: number }[];
}

/** The days from the first to the last, quiet days included, when that is at most two months; else the days with jobs. */
export function calendar(days: string[]): string[] {
  if (days.length < 2) return days;
  const [y0, m0, d0] = days[0]!.split("-").map(Number);
  const all: string[] = [];
  for (let date = new Date(y0!, m0! - 1, d0!); all.length <= 62; date.setDate(date.getDate() + 1)) {
    const day = localDay(date);
    all.push(day);
    if (day >= days.at(-1)!) return all;
  }
  return days;
}

export function summarize(rows: readonly Row[]): Summary {
  const jobs = latestPerJob(rows);
  const perDay = new Map<string, Map<string, number>>();
  const printers = new Map<string, { id: string; name: string; total: number; aborted: number; canceled: number }>();
  const users = new Map<string, number>();
  const states = new Set<string>();
  for (const row of jobs) {
    const state = stateOf(row);
    states.add(state);
    const when = parseTime(row.CreatedDateTime) ?? parseTime(row.ObservedDateTime);
    if (when) {
      const day = localDay(when);
      const counts = perDay.get(day) ?? new Map<string, number>();
      counts.set(state, (counts.get(state) ?? 0) + 1);
      perDay.set(day, counts);
    }
    const id = text(row.PrinterId) ?? "?";
    const printer = printers.get(id) ?? { id, name: printerLabel(row), total: 0, aborted: 0, canceled: 0 };
    printer.total++;
    if (state === "aborted") printer.aborted++;
    if (state === "canceled") printer.canceled++;
    printers.set(id, printer);
    const user = userOf(row);
    users.set(user, (users.get(user) ?? 0) + 1);
  }
  const order = (s: string): number => {
    const i = (knownStates as readonly string[]).indexOf(s);
    return i < 0 ? knownStates.length : i;
  };
  return {
    jobs: jobs.length,
    days: calendar([...perDay.keys()].sort()),
    perDay,
    states: [...states].sort((a, b) => order(a) - order(b) || a.localeCompare(b)),
    printers: [...printers.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name)),
    users: [...users.entries()].map(([name, n]) => ({ name, jobs: n })).sort((a, b) => b.jobs - a.jobs || a.name.localeCompare(b.name)),
  };
}
