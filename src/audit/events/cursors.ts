/** Positions in the events feed, and the opaque cursor text a caller keeps whole. */
import { InputError } from "../../errors";
import { isValidKey } from "../keys";
import { eventTimeKey } from "./eventRows";

/** A feed position: events whose RowKey is after `key` (or at or after it, when inclusive). */
export interface EventCursor {
  key: string;
  inclusive?: boolean;
}

/** The RowKey of an event, or its time alone. */
export const positionPattern = /^\d{8}T\d{9}Z(\|[^\\/#?]{1,900})?$/;

/** The opaque text of a cursor: base64url JSON, so callers keep it whole and never build one. */
export function encodeCursor(cursor: EventCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, k: cursor.key, ...(cursor.inclusive ? { i: 1 } : {}) }), "utf8").toString(
    "base64url",
  );
}

/** Reads a cursor this API handed out; anything else is a 400 naming the parameter. */
export function decodeCursor(text: string, parameter = "cursor"): EventCursor {
  const refuse = (): never => {
    throw new InputError(parameter, `${parameter} is not one this API handed out; start again without it.`);
  };
  if (text.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(text)) refuse();
  let parsed: { v?: unknown; k?: unknown; i?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as typeof parsed;
  } catch {
    return refuse();
  }
  if (parsed?.v !== 1 || typeof parsed.k !== "string" || !positionPattern.test(parsed.k) || !isValidKey(parsed.k))
    refuse();
  return { key: parsed.k as string, ...(parsed.i === 1 ? { inclusive: true } : {}) };
}

/** A cursor at an instant (a reader's `since`). */
export function cursorAt(ms: number): EventCursor {
  return { key: eventTimeKey(ms), inclusive: true };
}
