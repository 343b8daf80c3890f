/**
 * Computing a day: the summary of one UTC day and printer counts the jobs created that day by their latest
 * recorded state, by created hour, and by person as recorded (CreatedBy, else CreatedById: the UPN or id, or
 * their pseudonyms under AUDIT_REDACT_USERS=hash; none under omit). A day's totals add up its printers.
 */
import { timeOfInverted } from "../keys";

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

/** One day across printers: each printer's counts (no people) and the day's people. */
export interface DayTotals {
  day: string;
  printers: Omit<DaySummary, "users" | "day">[];
  users: Record<string, number>;
}

/** The person key a job counts under: as recorded (UPN, else id, or their pseudonyms); undefined when none was recorded. */
export function personOf(row: Record<string, unknown>): string | undefined {
  for (const column of ["CreatedBy", "CreatedById"]) {
    const value = row[column];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
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
  return {
    day,
    printerId,
    ...(printerName !== undefined ? { printerName } : {}),
    jobs: latest.size,
    ...countsOf(latest),
  };
}

/** The counts of each job's latest row: by state, by person, by created hour. */
function countsOf(
  latest: ReadonlyMap<string, Record<string, unknown>>,
): Pick<DaySummary, "states" | "users" | "hours"> {
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
  return { states, users, hours };
}

export function dayTotalsOf(day: string, summaries: readonly DaySummary[]): DayTotals {
  const users: Record<string, number> = {};
  for (const s of summaries) for (const [u, n] of Object.entries(s.users)) users[u] = (users[u] ?? 0) + n;
  return { day, printers: summaries.map(({ users: _u, day: _d, ...rest }) => rest), users };
}
