/** The integrity route's query: a range of UTC days (jobs created in it), checked against the anchor. */
import { assertQueryAllowed, calendarDayStart, shown, single } from "../../validation";
import { InputError } from "../../errors";

const dayMs = 86_400_000;
/** At most ten years in one check (the anchor keeps seven by default). */
export const maxIntegrityRangeDays = 3660;
/** Up to a week is answered at once; a longer range is checked in the background (202 and a Location to poll). */
export const maxImmediateRangeDays = 7;

export interface IntegrityRange {
  from: string;
  to: string;
  /** Days in the range, both ends included. */
  days: number;
}

function day(query: URLSearchParams, name: "from" | "to"): string {
  const value = single(query, name);
  if (value === undefined || value === "")
    throw new InputError(name, `${name} is required: a UTC day written YYYY-MM-DD, e.g. 2026-11-24.`);
  if (calendarDayStart(value) === undefined)
    throw new InputError(
      name,
      `${name} must be a calendar day written YYYY-MM-DD, e.g. 2026-11-24; got ${shown(value)}.`,
    );
  return value;
}

export function parseIntegrityRange(query: URLSearchParams): IntegrityRange {
  assertQueryAllowed(query, ["from", "to"], { target: "option" });
  const from = day(query, "from");
  const to = day(query, "to");
  const days = (calendarDayStart(to)! - calendarDayStart(from)!) / dayMs + 1;
  if (days < 1) throw new InputError("to", `to (${to}) must not be before from (${from}).`);
  if (days > maxIntegrityRangeDays)
    throw new InputError(
      "to",
      `The range may be at most ${maxIntegrityRangeDays} days; got ${days}. Check it in parts.`,
    );
  return { from, to, days };
}
