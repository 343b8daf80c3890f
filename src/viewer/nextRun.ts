/** When the next audit run is due, from the schedule the page was served with: what empty views tell. */
import { formatTime, parseTime, relative } from "./format";

function describeSchedule(schedule: string): string {
  const every = /^0 \*\/(\d+) \* \* \* \*$/.exec(schedule);
  if (every) return `every ${every[1]} minutes`;
  if (schedule === "0 * * * * *") return "every minute";
  const hourly = /^0 (\d+) \* \* \* \*$/.exec(schedule);
  if (hourly) return `every hour at minute ${hourly[1]}`;
  return `on the schedule "${schedule}" (seconds minutes hours day month weekday, UTC)`;
}

function meta(name: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? "";
}

/** When the next audit run is due, for empty states. */
export function nextRunText(): string {
  const schedule = meta("audit-schedule");
  const next = parseTime(meta("audit-next-run"));
  const parts: string[] = [];
  if (schedule) parts.push(`The audit runs ${describeSchedule(schedule)}.`);
  if (next) {
    parts.push(
      next.getTime() > Date.now()
        ? `The next run is due at ${formatTime(next)} (${relative(next)}).`
        : `A run was due at ${formatTime(next)} (${relative(next)}); reload the page to see what it recorded.`,
    );
  }
  return parts.join(" ");
}
