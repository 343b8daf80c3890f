/** Small SVG charts drawn from the data; each comes with the same numbers as a table for screen readers. */
import { h, s } from "./dom";
import { dayLabel } from "./format";
import { stateClass } from "./rows";

/** Whole-number ticks from 0 to a round top at or above `value`: about four steps of 1, 2 or 5 times a power of ten. */
function axisTicks(value: number): number[] {
  const rough = Math.max(1, value / 4);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((st) => st >= rough)!;
  const top = Math.max(step, Math.ceil(value / step) * step);
  return Array.from({ length: top / step + 1 }, (_, i) => i * step);
}

export function legend(states: string[]): HTMLElement {
  return h(
    "ul",
    { class: "legend", "aria-hidden": "true" },
    states.map((state) => h("li", {}, h("i", { class: stateClass(state) }), state)),
  );
}

export function figure(
  title: string,
  chart: Element,
  table: HTMLTableElement,
  ...extra: (Element | null)[]
): HTMLElement {
  return h(
    "figure",
    { class: "chart" },
    h("figcaption", {}, title),
    chart,
    ...extra,
    h("details", {}, h("summary", {}, "Show as a table"), h("div", { class: "table-wrap" }, table)),
  );
}

/** Jobs per state per day: one stacked column per day. */
export function stackedDays(days: string[], states: string[], perDay: Map<string, Map<string, number>>): SVGElement {
  const width = 640;
  const height = 260;
  const left = 40;
  const bottom = 40;
  const top = 10;
  const plotHeight = height - top - bottom;
  const totals = days.map((d) => [...(perDay.get(d)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const tickValues = axisTicks(Math.max(1, ...totals));
  const max = tickValues.at(-1)!;
  const band = (width - left - 10) / Math.max(1, days.length);
  const barWidth = Math.min(48, band * 0.7);
  const y = (v: number): number => top + plotHeight - (v / max) * plotHeight;
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `Jobs per state per day, ${days.length} days`,
  });
  for (const t of tickValues) {
    svg.append(s("line", { class: "grid", x1: left, x2: width - 10, y1: y(t), y2: y(t) }));
    svg.append(s("text", { x: left - 6, y: y(t) + 4, "text-anchor": "end", "font-size": 12 }, String(t)));
  }
  days.forEach((day, i) => {
    const x = left + i * band + (band - barWidth) / 2;
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
    svg.append(
      s(
        "text",
        { x: x + barWidth / 2, y: y(stacked) - 4, "text-anchor": "middle", "font-size": 12 },
        String(totals[i]),
      ),
    );
    if (days.length <= 16 || i % Math.ceil(days.length / 16) === 0) {
      svg.append(
        s(
          "text",
          { x: x + barWidth / 2, y: height - bottom + 16, "text-anchor": "middle", "font-size": 11 },
          dayLabel(day),
        ),
      );
    }
  });
  svg.append(s("line", { class: "axis", x1: left, x2: width - 10, y1: y(0), y2: y(0) }));
  return svg;
}

export interface BarSegment {
  value: number;
  className: string;
  title: string;
}

export interface BarRow {
  label: string;
  segments: BarSegment[];
  valueText: string;
}

/** Horizontal bars, one row per item, each made of one or more segments. */
export function horizontalBars(rows: BarRow[], max: number, label: string): SVGElement {
  const width = 420;
  const rowHeight = 30;
  const labelWidth = 170;
  const valueWidth = 46;
  const height = Math.max(1, rows.length) * rowHeight + 8;
  const plot = width - labelWidth - valueWidth;
  const scale = (v: number): number => (max <= 0 ? 0 : (v / max) * plot);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  rows.forEach((row, i) => {
    const y = 4 + i * rowHeight;
    const shown = row.label.length > 24 ? `${row.label.slice(0, 23)}…` : row.label;
    svg.append(
      s(
        "text",
        { x: labelWidth - 8, y: y + 19, "text-anchor": "end", "font-size": 12 },
        shown,
        s("title", {}, row.label),
      ),
    );
    svg.append(
      s("rect", { class: "grid", x: labelWidth, y: y + 4, width: plot, height: rowHeight - 10, fill: "#eef2f7" }),
    );
    let x = labelWidth;
    for (const segment of row.segments) {
      const w = scale(segment.value);
      if (w <= 0) continue;
      svg.append(
        s(
          "rect",
          { class: segment.className, x, y: y + 4, width: w, height: rowHeight - 10 },
          s("title", {}, segment.title),
        ),
      );
      x += w;
    }
    svg.append(s("text", { x: labelWidth + plot + 8, y: y + 19, "font-size": 13 }, row.valueText));
  });
  return svg;
}
