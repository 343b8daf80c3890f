/** A job's history as spans of time: how long the job, and each of its tasks, stayed in each state seen. */
import { type AuditRow, type JobTimeline } from "../contract/auditAnswers";
import { formatDuration, parseTime } from "./format";
import { text } from "./rows";

const terminalJob = new Set(["completed", "canceled", "aborted"]);
const terminalTask = new Set(["completed", "aborted"]);

export interface Span {
  state: string;
  start: Date;
  /** Undefined for a final state: the job stays in it. */
  end?: Date;
  /** Still in this state now (not final, last observation). */
  ongoing: boolean;
  rows: AuditRow[];
}

/** Consecutive observations in the same state make one span, which lasts until the next state was seen. */
function spansOf(rows: readonly AuditRow[], stateColumn: string, terminal: ReadonlySet<string>, now: Date): Span[] {
  const observed = rows
    .map((row) => ({ row, at: parseTime(row.ObservedDateTime) }))
    .filter((o): o is { row: AuditRow; at: Date } => o.at !== undefined)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const spans: Span[] = [];
  for (const { row, at } of observed) {
    const state = text(row[stateColumn]) ?? "unknown";
    const last = spans.at(-1);
    if (last && last.state === state) {
      last.rows.push(row);
      continue;
    }
    if (last) last.end = at;
    spans.push({ state, start: at, ongoing: false, rows: [row] });
  }
  const last = spans.at(-1);
  if (last && !terminal.has(last.state)) {
    last.end = now;
    last.ongoing = true;
  }
  return spans;
}

export function jobSpans(history: JobTimeline, now: Date): Span[] {
  return spansOf(history.states, "JobState", terminalJob, now);
}

export function taskSpans(history: JobTimeline, now: Date): Map<string, Span[]> {
  const byTask = new Map<string, AuditRow[]>();
  for (const row of history.tasks) {
    const id = text(row.TaskId) ?? "?";
    byTask.set(id, [...(byTask.get(id) ?? []), row]);
  }
  return new Map([...byTask.entries()].map(([id, rows]) => [id, spansOf(rows, "TaskState", terminalTask, now)]));
}

/**
 * A task as people name it: Graph's task answer (GET …/jobs/{id}?$expand=tasks) holds no name, and its definition
 * and trigger need PrintTaskDefinition.ReadWrite.All, which the audit does not hold; so tasks are numbered in the
 * order the audit first saw them, the id on hover.
 */
export function taskName(index: number): string {
  return `Task ${index + 1}`;
}

/** How long the span lasted ("4 min", or "4 min so far" while it goes on); undefined for a final state. */
export function spanLength(span: Span): string | undefined {
  if (!span.end) return undefined;
  return `${formatDuration(span.end.getTime() - span.start.getTime())}${span.ongoing ? " so far" : ""}`;
}
