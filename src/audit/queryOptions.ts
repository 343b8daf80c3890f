/**
 * The query options the audit's read routes share, validated the same way on each: unknown options refused
 * (`code` is the function key, which the platform reads), a printer GUID, a bounded whole number, a UTC day.
 * Each refusal is a 400 naming the option.
 */
import { isGuid, shown } from "../validation";
import { InputError } from "../errors";

/** Refuses any option but the allowed ones (and `code`), naming the first that is not. */
export function refuseUnknownOptions(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of query.keys()) {
    if (name !== "code" && !allowed.includes(name))
      throw new InputError(name, `Query option ${shown(name)} is not supported here; use ${allowed.join(", ")}.`);
  }
}

/** A printerId option, lower-cased. */
export function parsePrinterGuid(value: string): string {
  if (!isGuid(value)) throw new InputError("printerId", `printerId must be a printer GUID; got ${shown(value)}.`);
  return value.toLowerCase();
}

/** A whole number from min to max (`what` names it in the message, the option name by default). */
export function parseWholeNumber(value: string, name: string, min: number, max: number, what = name): number {
  const digits = String(max).length;
  if (!new RegExp(`^\\d{1,${digits}}$`).test(value) || Number(value) < min || Number(value) > max)
    throw new InputError(name, `${what} must be a whole number from ${min} to ${max}; got ${shown(value)}.`);
  return Number(value);
}

/** The start (epoch milliseconds) of a UTC calendar day written 2026-11-24; undefined for anything else, 2026-02-30 included. */
export function calendarDayStart(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March: a real calendar date round-trips.
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value ? ms : undefined;
}
