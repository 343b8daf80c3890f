/** A job's history on a time axis: the job's states in one lane, each task in a lane of its own. */
import { type AuditRow, type JobTimeline } from "../contract/auditAnswers";
import { s, type Child } from "./dom";
import { formatClock, formatDuration, formatTime, parseTime, utcText } from "./format";
import { stateClass, text } from "./summary";

const terminalJob = new Set(["completed", "canceled", "aborted"]);
/** The furthest instant from 1970 a JavaScript Date can hold (±100,000,000 days). */
const maxDateMs = 8.64e15;
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
export function spansOf(
  rows: readonly AuditRow[],
  stateColumn: string,
  terminal: ReadonlySet<string>,
  now: Date,
): Span[] {
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

export function spanDuration(span: Span): number | undefined {
  return span.end ? span.end.getTime() - span.start.getTime() : undefined;
}

/** The timeline as SVG: lanes of coloured spans, markers for created/acknowledged, and a "now" line for a job still going. */
export function timelineSvg(history: JobTimeline, now: Date): SVGElement {
  const current = history.current;
  const created = parseTime(current.CreatedDateTime);
  const acknowledged = parseTime(current.AcknowledgedDateTime);
  const lanes: { label: Child; spans: Span[] }[] = [{ label: "Job", spans: jobSpans(history, now) }];
  for (const [id, spans] of taskSpans(history, now)) lanes.push({ label: ["Task ", id.slice(0, 8)], spans });
  const observed = lanes
    .flatMap((l) => l.spans.flatMap((sp) => [sp.start, sp.end]))
    .filter((d): d is Date => d !== undefined)
    .map((d) => d.getTime());
  // Not Math.min(...observed): a job with very many recorded states would overflow the call stack.
  const firstObserved = observed.reduce((a, b) => Math.min(a, b), Infinity);
  let t0 = firstObserved;
  let t1 = observed.reduce((a, b) => Math.max(a, b), -Infinity);
  if (!Number.isFinite(t0)) t0 = t1 = now.getTime();
  if (t1 - t0 < 10_000) {
    const middle = (t0 + t1) / 2;
    t0 = middle - 5_000;
    t1 = middle + 5_000;
  }
  // Created long before the audit first saw the job (an audit started later, or a long queue): say so at the left edge instead of squeezing the states.
  const createdFarBefore = created !== undefined && t0 - created.getTime() > t1 - t0;
  for (const at of createdFarBefore ? [acknowledged] : [created, acknowledged]) {
    if (at && at.getTime() >= (createdFarBefore ? t0 : 0)) {
      t0 = Math.min(t0, at.getTime());
      t1 = Math.max(t1, at.getTime());
    }
  }
  const pad = (t1 - t0) * 0.04;
  // Kept within the dates JavaScript can hold, so every tick on the axis is a real date.
  t0 = Math.max(t0 - pad, -maxDateMs);
  t1 = Math.min(t1 + pad, maxDateMs);
  const width = 900;
  const left = 120;
  const right = 20;
  const laneHeight = 34;
  const top = 28;
  const height = top + lanes.length * laneHeight + 34;
  const x = (d: Date): number => left + ((d.getTime() - t0) / (t1 - t0)) * (width - left - right);
  const sameDay = new Date(t0).toDateString() === new Date(t1).toDateString();
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": "Timeline of the job's states and tasks; the same data follows as tables",
  });
  for (let i = 0; i <= 5; i++) {
    // Clamped: rounding can carry the last tick a millisecond past the last date JavaScript can hold.
    const at = new Date(Math.min(maxDateMs, t0 + ((t1 - t0) * i) / 5));
    const tx = x(at);
    svg.append(s("line", { class: "grid", x1: tx, x2: tx, y1: top - 6, y2: height - 30 }));
    const anchor = i === 0 ? "start" : i === 5 ? "end" : "middle";
    svg.append(
      s(
        "text",
        { x: tx, y: height - 12, "text-anchor": anchor, "font-size": 12 },
        sameDay ? formatClock(at) : formatTime(at),
        s("title", {}, utcText(at)),
      ),
    );
  }
  lanes.forEach((lane, i) => {
    const y = top + i * laneHeight;
    svg.append(
      s(
        "text",
        { x: left - 10, y: y + 21, "text-anchor": "end", "font-size": 13, "font-weight": i === 0 ? 600 : 400 },
        lane.label,
      ),
    );
    for (const span of lane.spans) {
      const x1 = x(span.start);
      const spanTitle = `${span.state} from ${formatTime(span.start)}${span.end ? ` for ${formatDuration(span.end.getTime() - span.start.getTime())}${span.ongoing ? " so far" : ""}` : " (final)"}`;
      if (span.end) {
        const w = Math.max(3, x(span.end) - x1);
        svg.append(
          s(
            "rect",
            { class: stateClass(span.state), x: x1, y: y + 5, width: w, height: laneHeight - 12, rx: 3 },
            s("title", {}, spanTitle),
          ),
        );
        if (w > 70)
          svg.append(
            s("text", { class: "on-bar", x: x1 + 6, y: y + 22, "font-size": 12, "pointer-events": "none" }, span.state),
          );
      } else {
        svg.append(
          s(
            "path",
            { class: stateClass(span.state), d: `M ${x1} ${y + 5} l 11 12 l -11 12 l -11 -12 z` },
            s("title", {}, spanTitle),
          ),
        );
        const nearEnd = x1 > width - right - 90;
        svg.append(
          s(
            "text",
            { x: nearEnd ? x1 - 14 : x1 + 14, y: y + 22, "font-size": 12, "text-anchor": nearEnd ? "end" : "start" },
            span.state,
          ),
        );
      }
    }
  });
  const marker = (at: Date | undefined, label: string): void => {
    if (!at) return;
    const mx = x(at);
    svg.append(
      s(
        "line",
        { class: "marker", x1: mx, x2: mx, y1: top - 8, y2: top + lanes.length * laneHeight },
        s("title", {}, `${label} ${formatTime(at)} (${utcText(at)})`),
      ),
    );
    svg.append(s("text", { x: mx + 3, y: top - 12, "font-size": 11 }, label));
  };
  if (createdFarBefore) {
    svg.append(
      s(
        "text",
        { x: left, y: top - 12, "font-size": 11 },
        `◀ created ${formatDuration(firstObserved - created!.getTime())} before the audit first saw it`,
        s("title", {}, `created ${formatTime(created!)} (${utcText(created!)})`),
      ),
    );
  } else {
    marker(created, "created");
  }
  if (acknowledged && (!created || Math.abs(x(acknowledged) - x(created)) > 60)) marker(acknowledged, "acknowledged");
  if (lanes[0]!.spans.at(-1)?.ongoing) {
    const nx = x(now);
    svg.append(
      s(
        "line",
        { class: "now", x1: nx, x2: nx, y1: top - 4, y2: top + lanes.length * laneHeight },
        s("title", {}, `now ${formatTime(now)}`),
      ),
    );
  }
  return svg;
}
