/** Small SVG charts drawn from the data; each comes with the same numbers as a table for screen readers. */
import { h, s } from "./dom";
import { stateClass } from "./rows";

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
