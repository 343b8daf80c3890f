import { isGuid } from "../config";
import { type PrintJobExpansion, type PrintJobRef } from "../graph/client";
import { InputError } from "../errors";

/** Graph's job ids are short tokens such as "5182"; letters, digits and dashes, at most 64. */
const jobIdPattern = /^[A-Za-z0-9-]{1,64}$/;
/** A $select item is a plain property name: no paths, no functions, no annotations. */
const propertyPattern = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const expansions: readonly PrintJobExpansion[] = ["tasks", "documents"];
const maxSelect = 30;

/** The query options a caller may pass; `code` is the function key, which the platform reads and the app ignores. */
const allowedQuery = new Set(["$select", "$expand", "code"]);

export interface PrintJobRequest {
  ref: PrintJobRef;
  select?: string[];
  expand?: PrintJobExpansion[];
}

/** A caller's value as quoted in an error message: at most 40 characters, JSON-escaped. */
export function shown(value: string): string {
  const visible = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(visible);
}

export function parsePrinterId(value: string | undefined, target = "printerId"): string {
  if (!value || !isGuid(value)) {
    throw new InputError(
      target,
      `${target} must be a GUID such as c05f3726-0d4b-4aa1-8fe9-2eb981bb26fb; got ${shown(value ?? "")}.`,
    );
  }
  return value.toLowerCase();
}

export function parseJobId(value: string | undefined): string {
  if (!value || !jobIdPattern.test(value)) {
    throw new InputError(
      "jobId",
      `jobId must be 1-64 letters, digits or dashes (Graph's look like "5182"); got ${shown(value ?? "")}.`,
    );
  }
  return value;
}

/** The one value of a query option; an option given twice is refused. */
export function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw new InputError(name, `${name} was given ${values.length} times; give it once.`);
  return values[0];
}

export function parseSelect(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(",").map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === "")) {
    throw new InputError(
      "$select",
      "$select must be a comma-separated list of property names, such as id,status,createdBy.",
    );
  }
  if (items.length > maxSelect) throw new InputError("$select", `$select may name at most ${maxSelect} properties.`);
  const bad = items.find((s) => !propertyPattern.test(s));
  if (bad !== undefined) {
    throw new InputError(
      "$select",
      `$select items must be plain property names (no paths or expressions); ${shown(bad)} is not one.`,
    );
  }
  return [...new Set(items)];
}

export function parseExpand(raw: string | undefined): PrintJobExpansion[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(",").map((s) => s.trim());
  const bad = items.find((s) => !(expansions as readonly string[]).includes(s));
  if (bad !== undefined) {
    throw new InputError(
      "$expand",
      `$expand may be tasks, documents, or both (tasks,documents); ${shown(bad)} is not supported.`,
    );
  }
  return [...new Set(items)] as PrintJobExpansion[];
}

/** Refuses any query option but the allowed ones, naming the first that is not. */
export function assertQueryAllowed(query: URLSearchParams, allowed: ReadonlySet<string> = allowedQuery): void {
  for (const name of query.keys()) {
    if (!allowed.has(name)) {
      const list = [...allowed].filter((n) => n !== "code").join(", ");
      throw new InputError("query", `Query option ${shown(name)} is not supported here; use ${list}.`);
    }
  }
}

/** Validates a get-job request completely before anything is sent to Graph. */
export function parsePrintJobRequest(
  parent: "printer" | "share",
  params: Readonly<Record<string, string | undefined>>,
  query: URLSearchParams,
): PrintJobRequest {
  const jobId = parseJobId(params.jobId);
  const ref: PrintJobRef =
    parent === "printer"
      ? { printerId: parsePrinterId(params.printerId), jobId }
      : { shareId: parsePrinterId(params.shareId, "shareId"), jobId };
  assertQueryAllowed(query);
  return { ref, select: parseSelect(single(query, "$select")), expand: parseExpand(single(query, "$expand")) };
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
