/**
 * Summaries as table rows and back. Counts are JSON text; the person counts (and a day's printers) are split
 * over columns Users0, Users1, … so no string passes Table's 32K limit, and cut (UsersCut) before the row would
 * pass Table's 1 MiB.
 */
import { type Row } from "../store";
import { dayKey, dayOfKey, dayRowKey } from "./days";
import { type DaySummary, type DayTotals } from "./summarizeDay";

/** A Table string property holds 32,768 UTF-16 units: the person counts are split over columns of at most this many. */
const maxUsersChars = 30_000;
/** An entity holds 1 MiB (UTF-16): 14 columns of 30,000 characters is 840 KB; the day row shares that between printers and people. */
const maxChunkColumns = 14;

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

/** The person counts as columns, the busiest first (a cut keeps them). */
function userColumns(
  users: Record<string, number>,
  maxColumns?: number,
): { columns: Record<string, string>; cut: boolean } {
  return chunkedColumns(
    "Users",
    Object.entries(users).sort(([, a], [, b]) => b - a),
    maxColumns,
  );
}

/** A summary as its table row: person counts split over Users0, Users1, … so no string passes Table's limit. */
export function summaryRow(summary: DaySummary): Row {
  const users = userColumns(summary.users);
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

export function dayTotalsRow(totals: DayTotals): Row {
  const printers = chunkedColumns(
    "Printers",
    totals.printers.map((p) => [
      p.printerId,
      { n: p.printerName ?? null, j: p.jobs, s: p.states, ...(p.hours ? { h: p.hours } : {}) },
    ]),
    8,
  );
  const users = userColumns(totals.users, 6);
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
