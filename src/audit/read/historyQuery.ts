/**
 * Reading the audit: one job's timeline, and the history filtered by printer, created time, state and
 * user, a page at a time (JSON) or as a whole (CSV), from the reader historyReader.ts picks.
 *
 * Order (once the indexes are complete, see indexes/): newest job first (CreatedDateTime) across printers,
 * then printer id, then job id, then each job's states oldest first. While the backfill of older history
 * runs, the same rows come by printer id first. `latest=true` gives one row per job: its latest recorded
 * state among the rows the other options select.
 */
import {
  assertQueryAllowed,
  calendarDayStart,
  isCalendarInstant,
  parsePrinterIdOption,
  parseWholeNumber,
  shown,
  single,
} from "../../validation";
import { isWellFormedIndexToken } from "../indexes";
import { type PrivacySettings } from "../snapshot";
import { isContinuationToken } from "../store";
import { InputError } from "../../errors";

export interface HistoryQuery {
  printerId?: string;
  fromMs?: number;
  toMs?: number;
  state?: string;
  user?: string;
  top: number;
  continuationToken?: string;
  format: "json" | "csv";
  /** One row per job: its latest recorded state. */
  latest?: boolean;
}

export const defaultTop = 100;
export const maxTop = 1000;

/** The options of GET /api/audit/jobs, in the order a refusal lists them. */
const historyOptions = ["printerId", "from", "to", "state", "user", "top", "continuationToken", "format", "latest"];
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Validates the read API's query options completely, naming the first bad one. */
export function parseHistoryQuery(query: URLSearchParams, privacy: PrivacySettings): HistoryQuery {
  assertQueryAllowed(query, historyOptions, { target: "option" });
  const result: HistoryQuery = { top: defaultTop, format: "json" };
  const printerId = single(query, "printerId");
  if (printerId !== undefined) result.printerId = parsePrinterIdOption(printerId);
  Object.assign(result, parseCreatedRange(query));
  const state = single(query, "state");
  if (state !== undefined) {
    if (state.length === 0 || state.length > 64)
      throw new InputError("state", "state must be 1-64 characters, such as completed or aborted.");
    result.state = state;
  }
  const user = single(query, "user");
  if (user !== undefined) result.user = parseUser(user, privacy);
  const top = single(query, "top");
  if (top !== undefined) result.top = parseWholeNumber(top, "top", 1, maxTop);
  const token = single(query, "continuationToken");
  if (token !== undefined) result.continuationToken = parseContinuationToken(token);
  const format = single(query, "format");
  if (format !== undefined) {
    if (format !== "json" && format !== "csv")
      throw new InputError("format", `format must be json or csv; got ${shown(format)}.`);
    result.format = format;
  }
  const latest = single(query, "latest");
  if (latest !== undefined) {
    if (latest !== "true" && latest !== "false")
      throw new InputError("latest", `latest must be true or false; got ${shown(latest)}.`);
    result.latest = latest === "true";
  }
  return result;
}

/** from and to: the created-time range, each end included. */
function parseCreatedRange(query: URLSearchParams): Pick<HistoryQuery, "fromMs" | "toMs"> {
  const from = single(query, "from");
  const fromMs = from !== undefined ? parseInstant("from", from) : undefined;
  const to = single(query, "to");
  const toMs = to !== undefined ? parseInstant("to", to) : undefined;
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs)
    throw new InputError("from", "from is later than to.");
  return { ...(fromMs !== undefined ? { fromMs } : {}), ...(toMs !== undefined ? { toMs } : {}) };
}

/** An ISO 8601 date (a whole UTC day) or date-time with Z or an offset, as epoch milliseconds; a day or time that does not exist (2026-02-30, 24:00) is refused, not rolled over. */
function parseInstant(name: "from" | "to", raw: string): number {
  const value = raw.trim();
  const day = calendarDayStart(value);
  if (day !== undefined) return name === "to" ? day + 86_400_000 - 1 : day;
  if (isoDateTime.test(value) && isCalendarInstant(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new InputError(
    name,
    `${name} must be an ISO 8601 date (2026-11-24) or date-time with a zone (2026-11-24T08:00:00Z) that exists in the calendar; got ${shown(raw)}.`,
  );
}

function parseUser(user: string, privacy: PrivacySettings): string {
  if (privacy.redactUsers === "omit")
    throw new InputError(
      "user",
      "Users are not recorded here (AUDIT_REDACT_USERS=omit), so the history cannot be filtered by user.",
    );
  if (user.length === 0 || user.length > 256)
    throw new InputError("user", "user must be a user principal name or user id, at most 256 characters.");
  return user;
}

/** A token of the service (the old scan's first pages) or of the indexes; which query it belongs to is checked when read. */
function parseContinuationToken(token: string): string {
  if (!isContinuationToken(token) && !isWellFormedIndexToken(token))
    throw new InputError(
      "continuationToken",
      "continuationToken is not one this API handed out; start again without it.",
    );
  return token;
}
