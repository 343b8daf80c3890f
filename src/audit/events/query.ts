/**
 * The query options of the events feed and of the two polling triggers, validated completely (the first
 * bad one is a 400 naming it), into typed requests.
 */
import {
  assertQueryAllowed,
  parseDuration,
  parsePrinterIdOption,
  parseWholeNumber,
  shown,
  single,
} from "../../validation";
import { cursorAt, decodeCursor, type EventCursor } from "./cursors";
import { type EventFilter } from "./feed";
import { type PrivacySettings } from "../snapshot";
import { InputError } from "../../errors";

export const defaultEventTop = 100;
export const maxEventTop = 1000;
/** The end states a "finished" trigger may watch, and its default. */
export const endStates = ["completed", "canceled", "aborted"] as const;
export const defaultEndStates = "aborted,canceled";
export const defaultFailingThreshold = 3;
export const defaultFailingWindow = "PT1H";

function printerOption(query: URLSearchParams): string | undefined {
  const printerId = single(query, "printerId");
  if (printerId === undefined || printerId === "") return undefined;
  return parsePrinterIdOption(printerId);
}

function userOption(query: URLSearchParams, privacy: PrivacySettings): string | undefined {
  const user = single(query, "user");
  if (user === undefined || user === "") return undefined;
  if (privacy.redactUsers === "omit")
    throw new InputError(
      "user",
      "Users are not recorded here (AUDIT_REDACT_USERS=omit), so events cannot be filtered by user.",
    );
  if (user.length > 256)
    throw new InputError("user", "user must be a user principal name or user id, at most 256 characters.");
  return user;
}

function cursorOption(query: URLSearchParams): EventCursor | undefined {
  const cursor = single(query, "cursor");
  return cursor === undefined ? undefined : decodeCursor(cursor);
}

export interface EventFeedRequest {
  filter: EventFilter;
  top: number;
  from?: EventCursor;
}

/** GET /api/audit/events: printerId, state (comma list), user, top, cursor or since. */
export function parseEventFeedQuery(query: URLSearchParams, privacy: PrivacySettings): EventFeedRequest {
  assertQueryAllowed(query, ["printerId", "state", "user", "top", "cursor", "since"], { target: "option" });
  const filter: EventFilter = {};
  const printerId = printerOption(query);
  if (printerId) filter.printerId = printerId;
  const state = single(query, "state");
  if (state !== undefined) filter.states = parseStates(state, "state");
  const user = userOption(query, privacy);
  if (user !== undefined) filter.user = user;
  const topText = single(query, "top");
  const top = topText !== undefined ? parseWholeNumber(topText, "top", 1, maxEventTop) : defaultEventTop;
  let from = cursorOption(query);
  const since = single(query, "since");
  if (since !== undefined) {
    if (from) throw new InputError("since", "Give cursor or since, not both: a cursor already says where to go on.");
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(since)
      ? Date.parse(since)
      : NaN;
    if (!Number.isFinite(ms))
      throw new InputError(
        "since",
        `since must be an ISO 8601 date-time with a zone, such as 2026-11-24T08:00:00Z; got ${shown(since)}.`,
      );
    from = cursorAt(ms);
  }
  return { filter, top, ...(from ? { from } : {}) };
}

export interface JobFinishedRequest {
  printerId?: string;
  states: string[];
  user?: string;
  cursor?: EventCursor;
}

/** The "When a print job finishes" trigger: printerId, states (of completed, canceled, aborted), user, cursor. */
export function parseJobFinishedQuery(query: URLSearchParams, privacy: PrivacySettings): JobFinishedRequest {
  assertQueryAllowed(query, ["printerId", "states", "user", "cursor"], { target: "option" });
  const printerId = printerOption(query);
  const statesText = single(query, "states");
  const states = parseStates(
    statesText === undefined || statesText === "" ? defaultEndStates : statesText,
    "states",
    endStates,
  );
  const user = userOption(query, privacy);
  const cursor = cursorOption(query);
  return {
    states,
    ...(printerId ? { printerId } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

export interface PrinterFailingRequest {
  printerId?: string;
  threshold: number;
  window: string;
  windowMs: number;
  cursor?: EventCursor;
}

/** The "When a printer keeps failing" trigger: printerId, threshold (2-100, default 3), window (PT1M-P1D, default PT1H), cursor. */
export function parsePrinterFailingQuery(query: URLSearchParams): PrinterFailingRequest {
  assertQueryAllowed(query, ["printerId", "threshold", "window", "cursor"], { target: "option" });
  const printerId = printerOption(query);
  const thresholdText = single(query, "threshold");
  const threshold =
    thresholdText !== undefined && thresholdText !== ""
      ? parseWholeNumber(thresholdText, "threshold", 2, 100)
      : defaultFailingThreshold;
  const windowText = single(query, "window");
  const window = windowText === undefined || windowText === "" ? defaultFailingWindow : windowText;
  let windowMs: number;
  try {
    windowMs = parseDuration(window, "window");
  } catch {
    throw new InputError(
      "window",
      `window must be an ISO-8601 duration from PT1M to P1D, such as PT1H; got ${shown(window)}.`,
    );
  }
  if (windowMs < 60_000) throw new InputError("window", `window must be at least PT1M; got ${shown(window)}.`);
  const cursor = cursorOption(query);
  return { threshold, window, windowMs, ...(printerId ? { printerId } : {}), ...(cursor ? { cursor } : {}) };
}

/** Checks the states a caller asks for: a comma list of job state names. */
export function parseStates(raw: string, parameter: string, allowed?: readonly string[]): string[] {
  const states = [
    ...new Set(
      raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ];
  if (states.length === 0 || states.length > 8 || states.some((s) => !/^[A-Za-z]{1,32}$/.test(s))) {
    throw new InputError(
      parameter,
      `${parameter} must be a comma list of job states such as aborted,canceled; got ${shown(raw)}.`,
    );
  }
  if (allowed) {
    const bad = states.find((s) => !allowed.includes(s));
    if (bad !== undefined)
      throw new InputError(parameter, `${parameter} takes ${allowed.join(", ")}; got ${shown(bad)}.`);
  }
  return states;
}
