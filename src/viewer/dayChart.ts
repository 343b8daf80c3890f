/**
 * Jobs per state per day: one stacked column per day, drawn at the width it is shown at (one unit a CSS pixel,
 * so text keeps its size) and drawn again when that width changes. Day labels are thinned to those that fit
 * side by side; a quiet day has no column and no "0".
 */
import { h, replace, s } from "./dom";
import { dayLabel } from "./format";
import { stateClass } from "./rows";

const height = 260;
const left = 40;
const right = 10;
const top = 18;
const bottom = 40;
/** Before the chart is on screen; once there, as wide as its box (a month wants the room), to 100rem. */
const firstWidth = 640;
const maxWidth = 1600;
/** Space kept between two day labels, in pixels. */
const labelGap = 10;

export interface DayCounts {
  days: string[];
  states: string[];
  /** day -> state -> jobs */
  perDay: Map<string, Map<string, number>>;
}

/** Whole-number ticks from 0 to a round top at or above `value`: about four steps of 1, 2 or 5 times a power of ten. */
function axisTicks(value: number): number[] {
  const rough = Math.max(1, value / 4);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((st) => st >= rough)!;
  const topTick = Math.max(step, Math.ceil(value / step) * step);
  return Array.from({ length: topTick / step + 1 }, (_, i) => i * step);
}

/** A text's width as drawn, or an estimate while the chart is not on screen yet. */
function widthOf(label: SVGTextElement, fontSize: number): number {
  const drawn = label.getComputedTextLength();
  return drawn > 0 ? drawn : (label.textContent ?? "").length * fontSize * 0.62;
}

/**
 * Keeps every k-th label, k the smallest step at which neighbours do not touch, and keeps each one inside the
 * chart's edges.
 */
function thinLabels(labels: SVGTextElement[], centres: number[], band: number, width: number): void {
  const widths = labels.map((label) => widthOf(label, 11));
  const widest = widths.reduce((a, b) => Math.max(a, b), 0);
  const step = Math.max(1, Math.ceil((widest + labelGap) / band));
  labels.forEach((label, i) => {
    if (i % step !== 0) return label.remove();
    const half = widths[i]! / 2;
    label.setAttribute("x", String(Math.min(Math.max(centres[i]!, half), width - half)));
  });
}

/** Each column's total above it where every total fits its column; none on a quiet day. */
function placeTotals(totalLabels: SVGTextElement[], band: number): void {
  const widest = totalLabels.map((label) => widthOf(label, 12)).reduce((a, b) => Math.max(a, b), 0);
  if (widest + 2 > band) for (const label of totalLabels) label.remove();
}

/** The drawing, and the step that thins its labels once it is on screen (where text can be measured). */
interface DrawnDays {
  svg: SVGElement;
  thin: () => void;
}

function drawDays({ days, states, perDay }: DayCounts, width: number): DrawnDays {
  const plotHeight = height - top - bottom;
  const totals = days.map((d) => [...(perDay.get(d)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const tickValues = axisTicks(Math.max(1, ...totals));
  const max = tickValues.at(-1)!;
  const band = (width - left - right) / Math.max(1, days.length);
  const barWidth = Math.min(48, band * 0.7);
  const y = (v: number): number => top + plotHeight - (v / max) * plotHeight;
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `Jobs per state per day, ${days.length} days`,
  });
  for (const t of tickValues) {
    svg.append(s("line", { class: "grid", x1: left, x2: width - right, y1: y(t), y2: y(t) }));
    svg.append(s("text", { x: left - 6, y: y(t) + 4, "text-anchor": "end", "font-size": 12 }, String(t)));
  }
  const centres: number[] = [];
  const dayLabels: SVGTextElement[] = [];
  const totalLabels: SVGTextElement[] = [];
  days.forEach((day, i) => {
    const x = left + i * band + (band - barWidth) / 2;
    centres.push(x + barWidth / 2);
    let stacked = 0;
    for (const state of states) {
      const n = perDay.get(day)?.get(state) ?? 0;
      if (n === 0) continue;
      svg.append(
        s(
          "rect",
          { class: stateClass(state), x, width: barWidth, y: y(stacked + n), height: y(stacked) - y(stacked + n) },
          s("title", {}, `${dayLabel(day)}: ${n} ${state}`),
        ),
      );
      stacked += n;
    }
    const attributes = { x: x + barWidth / 2, y: y(stacked) - 4, "text-anchor": "middle", "font-size": 12 };
    if (totals[i]! > 0)
      totalLabels.push(s("text", { ...attributes, class: "day-total" }, String(totals[i])) as SVGTextElement);
    const labelAttributes = { x: x + barWidth / 2, y: height - bottom + 16, "text-anchor": "middle", "font-size": 11 };
    dayLabels.push(s("text", { ...labelAttributes, class: "day-label" }, dayLabel(day)) as SVGTextElement);
  });
  svg.append(...totalLabels, ...dayLabels);
  svg.append(s("line", { class: "axis", x1: left, x2: width - right, y1: y(0), y2: y(0) }));
  const thin = (): void => {
    placeTotals(totalLabels, band);
    thinLabels(dayLabels, centres, band, width);
  };
  return { svg, thin };
}

/** The chart in a box that draws it again, labels thinned, at the width the box gets (a phone, a wide screen, a zoom). */
export function stackedDays(counts: DayCounts): HTMLElement {
  const box = h("div", { class: "day-chart" });
  // Zero until drawn on screen: the first drawing's labels were thinned by an estimate, the next by measure.
  let measuredWidth = 0;
  const draw = (width: number): void => {
    const { svg, thin } = drawDays(counts, width);
    replace(box, svg);
    thin();
  };
  draw(firstWidth);
  new ResizeObserver(() => {
    const width = Math.min(maxWidth, Math.floor(box.clientWidth));
    if (width <= 0 || width === measuredWidth) return;
    measuredWidth = width;
    draw(width);
  }).observe(box);
  return box;
}
