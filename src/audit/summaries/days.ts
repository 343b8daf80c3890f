/**
 * The days of the daily summaries: one partition per UTC day, newest day first.
 *
 *   Summaries  PK = 99999999 - YYYYMMDD (8 digits, newest day first)   RK = printerId, or "~day"
 */
import { invertedTime, timeOfInverted } from "../keys";

export const dayMs = 86_400_000;

/** The "~day" row's key: not a printer id (printer ids are GUIDs). */
export const dayRowKey = "~day";

/** One summary row: a UTC day and a printer. */
export interface SummaryTarget {
  day: string;
  printerId: string;
}

/** "2026-11-20" of an instant (UTC). */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The start of a UTC day "2026-11-20" in epoch milliseconds. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
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
  const start = dayStart(day);
  return { ge: invertedTime(start + dayMs - 1), lt: `${invertedTime(start)}}` };
}
