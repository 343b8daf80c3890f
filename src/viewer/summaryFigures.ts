/** The daily summaries as figures, each chart with its numbers as a table: jobs per state per day, failures per printer, the busiest. */
import { columnHeads } from "./cells";
import { figure, horizontalBars, legend } from "./charts";
import { stackedDays } from "./dayChart";
import { h } from "./dom";
import { dayLabel, percent } from "./format";
import { type Summary } from "./summary";

type PrinterCounts = Summary["printers"][number];

export function jobsPerDayFigure(summary: Summary): HTMLElement {
  const dayTable = h(
    "table",
    {},
    columnHeads(["Day", ...summary.states, "All"], (i) => i > 0),
    h(
      "tbody",
      {},
      summary.days.map((day) => {
        const counts = summary.perDay.get(day)!;
        return h(
          "tr",
          {},
          h("th", { scope: "row" }, dayLabel(day)),
          summary.states.map((st) => h("td", { class: "num" }, counts.get(st) ?? 0)),
          h(
            "td",
            { class: "num" },
            [...counts.values()].reduce((a, b) => a + b, 0),
          ),
        );
      }),
    ),
  );
  return figure("Jobs per state per day", stackedDays(summary), dayTable, legend(summary.states));
}

/** The chart shows the 20 printers with the largest share; the table under it has every printer. */
function shareChart(failing: PrinterCounts[]): SVGElement {
  return horizontalBars(
    failing.slice(0, 20).map((p) => ({
      label: p.name,
      segments: [
        {
          value: p.aborted / p.total,
          className: "aborted",
          title: `${p.name}: ${p.aborted} of ${p.total} aborted`,
        },
        {
          value: p.canceled / p.total,
          className: "canceled",
          title: `${p.name}: ${p.canceled} of ${p.total} canceled`,
        },
      ],
      valueText: percent(p.aborted + p.canceled, p.total),
    })),
    1,
    "Aborted and canceled share of jobs per printer",
  );
}

export function failureShareFigure(summary: Summary): HTMLElement {
  const failing = [...summary.printers].sort(
    (a, b) => (b.aborted + b.canceled) / b.total - (a.aborted + a.canceled) / a.total || b.total - a.total,
  );
  const shareTable = h(
    "table",
    {},
    columnHeads(["Printer", "Jobs", "Aborted", "Canceled", "Share"], (i) => i > 0),
    h(
      "tbody",
      {},
      failing.map((p) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, p.name),
          h("td", { class: "num" }, p.total),
          h("td", { class: "num" }, p.aborted),
          h("td", { class: "num" }, p.canceled),
          h("td", { class: "num" }, percent(p.aborted + p.canceled, p.total)),
        ),
      ),
    ),
  );
  return figure(
    "Aborted and canceled share per printer",
    shareChart(failing),
    shareTable,
    legend(["aborted", "canceled"]),
  );
}

/** The ten busiest users or printers by jobs, as bars and as a table. */
export function busiestFigure(what: "users" | "printers", items: { label: string; jobs: number }[]): HTMLElement {
  const top = items.slice(0, 10);
  const max = Math.max(1, ...top.map((i) => i.jobs));
  return figure(
    `Busiest ${what}`,
    horizontalBars(
      top.map((i) => ({
        label: i.label,
        segments: [{ value: i.jobs, className: "bar", title: `${i.label}: ${i.jobs} jobs` }],
        valueText: String(i.jobs),
      })),
      max,
      `Busiest ${what} by jobs`,
    ),
    h(
      "table",
      {},
      columnHeads([what === "users" ? "User" : "Printer", "Jobs"], (i) => i === 1),
      h(
        "tbody",
        {},
        top.map((i) => h("tr", {}, h("th", { scope: "row" }, i.label), h("td", { class: "num" }, i.jobs))),
      ),
    ),
  );
}
