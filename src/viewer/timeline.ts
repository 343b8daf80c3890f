/** A job's history on a time axis: the job's states in one lane, each task in a lane of its own. */
import { type JobTimeline } from "../contract/auditAnswers";
import { s, type Child } from "./dom";
import { formatClock, formatDuration, formatTime, parseTime, utcText } from "./format";
import { stateClass } from "./rows";
import { jobSpans, spanLength, taskName, taskSpans, type Span } from "./spans";

/** The furthest instant from 1970 a JavaScript Date can hold (±100,000,000 days). */
const maxDateMs = 8.64e15;
const width = 900;
const left = 120;
const right = 20;
const laneHeight = 34;
const top = 28;

interface Lane {
  label: Child;
  spans: Span[];
}

/** The instants the axis runs between, and how the job's creation sits on it. */
interface Axis {
  t0: number;
  t1: number;
  /** The first instant the audit saw the job at. */
  firstObserved: number;
  /** Created long before the audit first saw it: said at the left edge instead of marked. */
  createdFarBefore: boolean;
}

/** The drawing so far, and where an instant falls on it. */
interface Plot {
  svg: SVGElement;
  height: number;
  lanes: Lane[];
  x: (d: Date) => number;
}

function lanesOf(history: JobTimeline, now: Date): Lane[] {
  const lanes: Lane[] = [{ label: "Job", spans: jobSpans(history, now) }];
  [...taskSpans(history, now)].forEach(([id, spans], i) =>
    lanes.push({ label: [taskName(i), s("title", {}, `Task id ${id}`)], spans }),
  );
  return lanes;
}

function axisOf(lanes: Lane[], created: Date | undefined, acknowledged: Date | undefined, now: Date): Axis {
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
  return { t0: Math.max(t0 - pad, -maxDateMs), t1: Math.min(t1 + pad, maxDateMs), firstObserved, createdFarBefore };
}

function drawTicks({ svg, height, x }: Plot, { t0, t1 }: Axis): void {
  const sameDay = new Date(t0).toDateString() === new Date(t1).toDateString();
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
}

/** A span with an end as a bar (named on it where it fits), a final state as a diamond named beside it. */
function drawSpan({ svg, x }: Plot, span: Span, y: number): void {
  const x1 = x(span.start);
  const length = spanLength(span);
  const spanTitle = `${span.state} from ${formatTime(span.start)}${length !== undefined ? ` for ${length}` : " (final)"}`;
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
    return;
  }
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

function drawLane(plot: Plot, lane: Lane, i: number): void {
  const y = top + i * laneHeight;
  plot.svg.append(
    s(
      "text",
      { x: left - 10, y: y + 21, "text-anchor": "end", "font-size": 13, "font-weight": i === 0 ? 600 : 400 },
      lane.label,
    ),
  );
  for (const span of lane.spans) drawSpan(plot, span, y);
}

/** A vertical line across the lanes at an instant, with its title. */
function vertical({ x, lanes }: Plot, className: string, at: Date, y1: number, title: string): SVGElement {
  const vx = x(at);
  return s(
    "line",
    { class: className, x1: vx, x2: vx, y1, y2: top + lanes.length * laneHeight },
    s("title", {}, title),
  );
}

/** Created and acknowledged as marked lines, or a note at the left edge for a job created long before. */
function drawMarkers(plot: Plot, axis: Axis, created: Date | undefined, acknowledged: Date | undefined): void {
  const marker = (at: Date | undefined, label: string): void => {
    if (!at) return;
    plot.svg.append(vertical(plot, "marker", at, top - 8, `${label} ${formatTime(at)} (${utcText(at)})`));
    plot.svg.append(s("text", { x: plot.x(at) + 3, y: top - 12, "font-size": 11 }, label));
  };
  if (axis.createdFarBefore) {
    plot.svg.append(
      s(
        "text",
        { x: left, y: top - 12, "font-size": 11 },
        `◀ created ${formatDuration(axis.firstObserved - created!.getTime())} before the audit first saw it`,
        s("title", {}, `created ${formatTime(created!)} (${utcText(created!)})`),
      ),
    );
  } else {
    marker(created, "created");
  }
  if (acknowledged && (!created || Math.abs(plot.x(acknowledged) - plot.x(created)) > 60))
    marker(acknowledged, "acknowledged");
}

/** The timeline as SVG: lanes of coloured spans, markers for created/acknowledged, and a "now" line for a job still going. */
export function timelineSvg(history: JobTimeline, now: Date): SVGElement {
  const created = parseTime(history.current.CreatedDateTime);
  const acknowledged = parseTime(history.current.AcknowledgedDateTime);
  const lanes = lanesOf(history, now);
  const axis = axisOf(lanes, created, acknowledged, now);
  const height = top + lanes.length * laneHeight + 34;
  const x = (d: Date): number => left + ((d.getTime() - axis.t0) / (axis.t1 - axis.t0)) * (width - left - right);
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": "Timeline of the job's states and tasks; the same data follows as tables",
  });
  const plot: Plot = { svg, height, lanes, x };
  drawTicks(plot, axis);
  lanes.forEach((lane, i) => drawLane(plot, lane, i));
  drawMarkers(plot, axis, created, acknowledged);
  if (lanes[0]!.spans.at(-1)?.ongoing) svg.append(vertical(plot, "now", now, top - 4, `now ${formatTime(now)}`));
  return svg;
}
