/** Times in the viewer's own time zone (UTC on hover), durations, counts. */
import { h } from "./dom";

export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const shortTime = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });

export function parseTime(value: unknown): Date | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A date that JavaScript can show: dates past ±275,760 years (a padded axis can reach them) are not. */
function showable(date: Date): boolean {
  return Number.isFinite(date.getTime());
}

export function utcText(date: Date): string {
  if (!showable(date)) return "—";
  return `${date
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "")
    .replace(/Z$/, "")} UTC`;
}

/** A <time> showing local time, with the UTC instant on hover. */
export function timeElement(value: unknown, style: "full" | "time" = "full"): HTMLElement | string {
  const date = parseTime(value);
  if (!date) return "—";
  return h(
    "time",
    { datetime: date.toISOString(), title: utcText(date) },
    style === "time" ? shortTime.format(date) : dateTime.format(date),
  );
}

export function formatTime(date: Date): string {
  return showable(date) ? dateTime.format(date) : "—";
}

export function formatClock(date: Date): string {
  return showable(date) ? shortTime.format(date) : "—";
}

export function dayLabel(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(y!, m! - 1, d!);
  return showable(date) ? dayFormat.format(date) : day;
}

/** 75 s -> "1 min 15 s"; 3 h 2 min; 2 d 4 h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "in 4 min" / "4 min ago". */
export function relative(date: Date, now = Date.now()): string {
  const delta = date.getTime() - now;
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** Pages printed from Universal Print's page ranges ("1-3,5" is 4 pages), where known. */
export function pageCount(ranges: unknown): number | undefined {
  if (typeof ranges !== "string" || ranges.trim() === "") return undefined;
  let total = 0;
  for (const part of ranges.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) return undefined;
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    if (end < start) return undefined;
    total += end - start + 1;
  }
  return total;
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? "0%" : `${Math.round((part / whole) * 100)}%`;
}

/** A percent-encoded part of a recorded link, decoded; bad encoding (%E0%A4%A) is shown as recorded instead of failing the view. */
export function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** encodeURIComponent for any recorded text: a lone surrogate (which it refuses with an error) becomes U+FFFD. */
export function encodeComponent(text: string): string {
  return encodeURIComponent(
    text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD"),
  );
}
