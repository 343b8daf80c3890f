import { InputError } from "./errors";

/**
 * The value checks every route and setting shares: ids, hosts, calendar instants, durations and query
 * options. Pure functions of their input; a refusal is an InputError naming the part of the request.
 */

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return guidPattern.test(value);
}

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLoopbackHost(hostname: string): boolean {
  return loopbackHosts.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** A caller's value as quoted in an error message: at most 40 characters, JSON-escaped. */
export function shown(value: string): string {
  const visible = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(visible);
}

/** The one value of a query option; an option given twice is refused. */
export function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw new InputError(name, `${name} was given ${values.length} times; give it once.`);
  return values[0];
}

/**
 * Refuses any query option but the allowed ones and `code` (the function key, which the platform reads and
 * the app ignores), naming the first that is not: as the error's target "query" (the job routes), or the
 * option itself (the audit routes).
 */
export function assertQueryAllowed(
  query: URLSearchParams,
  allowed: readonly string[],
  options: { target: "query" | "option" } = { target: "query" },
): void {
  for (const name of query.keys()) {
    if (name !== "code" && !allowed.includes(name)) {
      const target = options.target === "query" ? "query" : name;
      throw new InputError(target, `Query option ${shown(name)} is not supported here; use ${allowed.join(", ")}.`);
    }
  }
}

function parseGuidParameter(target: "printerId" | "shareId", value: string | undefined): string {
  if (!value || !isGuid(value)) {
    throw new InputError(
      target,
      `${target} must be a GUID such as c05f3726-0d4b-4aa1-8fe9-2eb981bb26fb; got ${shown(value ?? "")}.`,
    );
  }
  return value.toLowerCase();
}

/** A printer id of the route, in lower case. */
export function parsePrinterId(value: string | undefined): string {
  return parseGuidParameter("printerId", value);
}

/** A printer share id of the route, in lower case. */
export function parseShareId(value: string | undefined): string {
  return parseGuidParameter("shareId", value);
}

/** Graph's job ids are short tokens such as "5182"; letters, digits and dashes, at most 64. */
const jobIdPattern = /^[A-Za-z0-9-]{1,64}$/;

export function parseJobId(value: string | undefined): string {
  if (!value || !jobIdPattern.test(value)) {
    throw new InputError(
      "jobId",
      `jobId must be 1-64 letters, digits or dashes (Graph's look like "5182"); got ${shown(value ?? "")}.`,
    );
  }
  return value;
}

/** The longest duration parseDuration takes: a day. */
export const maxDurationInMs = 24 * 60 * 60 * 1000;

// PnDTnHnMnS: days, hours, minutes and seconds only; years, months and weeks have no fixed length.
const durationPattern = /^P(?!$)(?:(\d{1,3})D)?(?:T(?!$)(?:(\d{1,4})H)?(?:(\d{1,5})M)?(?:(\d{1,6}(?:\.\d{1,3})?)S)?)?$/;

/** An ISO-8601 duration in milliseconds, e.g. PT1H, PT30M, PT90S, P1D; refused when zero, negative or over 24 h. */
export function parseDuration(raw: string, name: string): number {
  const match = durationPattern.exec(raw.trim().toUpperCase());
  if (!match) {
    throw new InputError(
      name,
      `${name} must be an ISO-8601 duration such as PT10M, PT1H or PT24H (days, hours, minutes, seconds); got ${shown(raw)}.`,
    );
  }
  const [, days, hours, minutes, seconds] = match;
  const ms =
    (Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0)) * 1000;
  if (ms < 1000) throw new InputError(name, `${name} must be at least one second (PT1S); got ${shown(raw)}.`);
  if (ms > maxDurationInMs) throw new InputError(name, `${name} may be at most PT24H; got ${shown(raw)}.`);
  return Math.round(ms);
}

const calendarParts = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))?)?$/;
const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether an ISO 8601 date or date-time (already matched by the caller's stricter pattern) exists in the
 * calendar: JavaScript's Date rolls 2026-02-30 over to March 2nd and 24:00 to the next day instead of refusing them.
 */
export function isCalendarInstant(value: string): boolean {
  const m = calendarParts.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m
    .slice(1)
    .map((part) => Number(part ?? 0)) as [number, number, number, number, number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap ? 29 : daysInMonth[month - 1]!)) return false;
  return hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
}

/** The start (epoch milliseconds) of a UTC calendar day written 2026-11-24; undefined for anything else, 2026-02-30 included. */
export function calendarDayStart(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !isCalendarInstant(value)) return undefined;
  return Date.parse(`${value}T00:00:00Z`);
}

/** A printerId query option, lower-cased. */
export function parsePrinterIdOption(value: string): string {
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
