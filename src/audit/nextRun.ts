/**
 * When a six-field NCRONTAB schedule ({second} {minute} {hour} {day} {month} {day-of-week}, as the
 * Functions timer trigger reads it, in UTC) next fires: the viewer's empty state says when the audit's
 * next run is due. Supports *, lists, ranges, steps and month/day names.
 */

const monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface Field {
  min: number;
  max: number;
  names?: string[];
  nameBase?: number;
}

const fields: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: monthNames, nameBase: 1 },
  { min: 0, max: 6, names: dayNames, nameBase: 0 },
];

function valueOf(text: string, field: Field): number {
  const name = field.names?.indexOf(text.slice(0, 3).toLowerCase()) ?? -1;
  const value = name >= 0 && /^[a-z]/i.test(text) ? name + (field.nameBase ?? 0) : Number(text);
  if (!Number.isInteger(value)) throw new Error(`"${text}" is not a number or name`);
  return value === 7 && field.names === dayNames ? 0 : value;
}

/** The set of values one field allows, e.g. "*\/10" on minutes is {0,10,20,30,40,50}. */
function parseField(text: string, field: Field): Set<number> {
  const allowed = new Set<number>();
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in "${part}"`);
    let from: number;
    let to: number;
    if (range === "*") {
      from = field.min;
      to = field.max;
    } else if (range!.includes("-")) {
      const [a, b] = range!.split("-");
      from = valueOf(a!, field);
      to = valueOf(b!, field);
    } else {
      from = valueOf(range!, field);
      to = stepText === undefined ? from : field.max;
    }
    for (let v = from; v <= to; v += step) if (v >= field.min && v <= field.max) allowed.add(v);
  }
  return allowed;
}

/** The first instant strictly after `after` that the schedule fires, or undefined if none within a year (or it does not parse). */
export function nextOccurrence(schedule: string, after: Date): Date | undefined {
  let sets: Set<number>[];
  try {
    const parts = schedule.trim().split(/\s+/);
    if (parts.length !== 6) return undefined;
    sets = parts.map((p, i) => parseField(p, fields[i]!));
  } catch {
    return undefined;
  }
  const [seconds, minutes, hours, days, months, weekdays] = sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  const sortedSeconds = [...seconds].sort((a, b) => a - b);
  const start = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  // Minute by minute for up to a year: cheap enough for a page load, and plainly right.
  const minute = new Date(start);
  minute.setUTCSeconds(0, 0);
  for (let i = 0; i < 366 * 24 * 60; i++, minute.setUTCMinutes(minute.getUTCMinutes() + 1)) {
    if (!months.has(minute.getUTCMonth() + 1) || !days.has(minute.getUTCDate()) || !weekdays.has(minute.getUTCDay()))
      continue;
    if (!hours.has(minute.getUTCHours()) || !minutes.has(minute.getUTCMinutes())) continue;
    const base = minute.getTime();
    const second = sortedSeconds.find((s) => base + s * 1000 >= start.getTime());
    if (second !== undefined) return new Date(base + second * 1000);
  }
  return undefined;
}
