/** A job's states and its tasks' states as tables: each state seen, from when, and for how long. */
import { type AuditRow, type JobTimeline } from "../contract/auditAnswers";
import { badge, columnHeads } from "./cells";
import { h } from "./dom";
import { timeElement } from "./format";
import { detailWords } from "./graphWords";
import { redirectLink } from "./redirects";
import { text } from "./rows";
import { jobSpans, spanLength, taskName, taskSpans, type Span } from "./spans";

/** The cells every span starts with: its state, when it was first seen, and how long it lasted. */
function spanCells(span: Span): HTMLTableCellElement[] {
  return [
    h("td", {}, badge(span.state)),
    h("td", {}, timeElement(span.start.toISOString())),
    h("td", {}, spanLength(span) ?? "final"),
  ];
}

function redirectCell(last: AuditRow): HTMLTableCellElement {
  return h(
    "td",
    {},
    text(last.RedirectedTo) ? ["to ", redirectLink(text(last.RedirectedTo))] : null,
    text(last.RedirectedFrom) ? ["from ", redirectLink(text(last.RedirectedFrom))] : null,
    !text(last.RedirectedTo) && !text(last.RedirectedFrom) ? "—" : null,
  );
}

function stateRow(span: Span): HTMLTableRowElement {
  const last = span.rows.at(-1)!;
  return h(
    "tr",
    {},
    spanCells(span),
    h("td", {}, text(last.JobStateDescription) ?? "—"),
    h("td", {}, detailWords(last.JobStateDetails) ?? "—"),
    h("td", text(last.ErrorCode) ? { title: `errorCode: ${text(last.ErrorCode)}` } : {}, text(last.ErrorCode) ?? "—"),
    redirectCell(last),
  );
}

export function stateTable(history: JobTimeline, now: Date): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { id: "states-table" },
      h(
        "caption",
        { class: "muted" },
        "Each state the audit saw, and the time spent in it (until the next state was seen).",
      ),
      columnHeads(["State", "Seen from", "Time in state", "Description", "Details", "Error code", "Redirect"]),
      h("tbody", {}, jobSpans(history, now).map(stateRow)),
    ),
  );
}

function taskRow(id: string, index: number, span: Span): HTMLTableRowElement {
  return h(
    "tr",
    {},
    h("th", { scope: "row", title: `Task id ${id}` }, taskName(index)),
    spanCells(span),
    h("td", {}, text(span.rows.at(-1)!.TaskDescription) ?? "—"),
  );
}

export function taskTable(history: JobTimeline, now: Date): HTMLElement | null {
  const tasks = taskSpans(history, now);
  if (tasks.size === 0) return null;
  return h(
    "div",
    {},
    h("h3", {}, `Tasks (${tasks.size})`),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "tasks-table" },
        columnHeads(["Task", "State", "Seen from", "Time in state", "Description"]),
        h(
          "tbody",
          {},
          [...tasks.entries()].flatMap(([id, spans], i) => spans.map((span) => taskRow(id, i, span))),
        ),
      ),
    ),
  );
}
