/** The daily summaries (#/summary): jobs per state per day, failures per printer, the busiest users and printers. */
import { type SummaryAnswer } from "../contract/auditAnswers";
import { getSummaries } from "./api";
import { h, replace, type Child } from "./dom";
import { learn } from "./filters";
import { loadListView } from "./listView";
import { nextRunText } from "./nextRun";
import { setStatus } from "./shell";
import { state } from "./state";
import { summaryView, type Summary } from "./summary";
import { busiestFigure, failureShareFigure, jobsPerDayFigure } from "./summaryFigures";

/** The state and user filters narrow the job list only: said where they are set. */
function unfilteredNote(): HTMLElement | null {
  return state.filter.state || state.filter.user
    ? h(
        "p",
        { class: "muted", id: "summary-note" },
        "The state and user filters apply to the job list; these summaries count every state and user.",
      )
    : null;
}

function noJobs(span: string): HTMLElement {
  return h(
    "div",
    { class: "panel empty" },
    h("h3", {}, "No jobs in these days"),
    h(
      "p",
      {},
      `The audit recorded no job created from ${span} (UTC days)${state.filter.printerId ? " on this printer" : ""}.`,
    ),
    h("p", {}, nextRunText()),
  );
}

function summarySections(summary: Summary, span: string): Child[] {
  return [
    h(
      "p",
      { class: "muted", id: "summary-range" },
      `${summary.jobs} job${summary.jobs === 1 ? "" : "s"} from ${span}, by the UTC day each job was created, each in its latest state.`,
    ),
    unfilteredNote(),
    jobsPerDayFigure(summary),
    h(
      "div",
      { class: "charts" },
      failureShareFigure(summary),
      busiestFigure(
        "users",
        summary.users.map((u) => ({ label: u.name, jobs: u.jobs })),
      ),
      busiestFigure(
        "printers",
        summary.printers.map((p) => ({ label: p.name, jobs: p.total })),
      ),
    ),
  ];
}

/** The summaries answered, learning the printers they name for the filter's list. */
function showSummaries(body: HTMLElement, answer: SummaryAnswer): void {
  const summary = summaryView(answer);
  for (const p of summary.printers)
    if (p.name !== p.id && !state.printers.has(p.id)) learn([{ PrinterId: p.id, PrinterName: p.name }]);
  const span = `${answer.from} to ${answer.to}`;
  if (summary.jobs === 0) {
    replace(body, noJobs(span), unfilteredNote());
    setStatus("");
    return;
  }
  replace(body, summarySections(summary, span));
  // For npm run bench: when the month's summaries were on screen, after navigation start.
  if (performance.getEntriesByName("viewer:summary").length === 0) performance.mark("viewer:summary");
  // The range line above the charts says how many jobs; the status line would only say it again.
  setStatus("");
}

export function renderSummary(): Promise<void> {
  return loadListView(
    "summary",
    "Loading the daily summaries…",
    // Whole UTC days as typed in the form; without dates, the route's last 31 days.
    () => getSummaries({ from: state.form.from, to: state.form.to, printerId: state.filter.printerId }),
    showSummaries,
    () => void renderSummary(),
  );
}
