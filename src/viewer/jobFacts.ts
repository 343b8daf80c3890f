/** The facts of one job at the top of its view: printer, user, times, state now, settings, documents. */
import { type AuditRow, type JobTimeline } from "../contract/auditAnswers";
import { badge, userCell } from "./cells";
import { h, type Child } from "./dom";
import { pageCount, timeElement } from "./format";
import { detailWords, enumWords, errorCodeFact } from "./graphWords";
import { redirectLink } from "./redirects";
import { printerLabel, stateOf, text } from "./rows";

/** The job's settings in words (Graph's value on hover), each recorded value isolated from the next. */
function settingsOf(row: AuditRow): Child {
  const values = [
    enumWords("colorMode", row.ColorMode),
    enumWords("duplexMode", row.DuplexMode),
    text(row.MediaSize),
    enumWords("orientation", row.Orientation),
  ].filter((v) => v !== null && v !== undefined);
  return values.length ? values.flatMap((v, i) => (i ? [" · ", v] : [v])) : null;
}

function documentsOf(row: AuditRow): Child {
  if (!text(row.DocumentCount)) return null;
  const size = Number(row.DocumentSizeInBytes);
  return [
    text(row.DocumentCount),
    Number.isFinite(size) ? `, ${(size / 1024).toFixed(1)} KiB` : null,
    text(row.DocumentNames) ? [": ", text(row.DocumentNames)] : null,
  ];
}

function fact(label: string, value: Child): Child {
  if (value === undefined || value === null || value === "" || value === "—") return null;
  return [h("dt", {}, label), h("dd", {}, value)];
}

export function jobFacts(history: JobTimeline): HTMLElement {
  const row = history.current;
  const pages = pageCount(row.PageRanges);
  return h(
    "dl",
    { class: "facts" },
    fact("Printer", [history.printerName ?? printerLabel(row), h("span", { class: "sub" }, history.printerId)]),
    fact("User", userCell(row)),
    fact("Created", timeElement(row.CreatedDateTime)),
    fact("Acknowledged", text(row.AcknowledgedDateTime) ? timeElement(row.AcknowledgedDateTime) : null),
    fact("State now", badge(stateOf(row))),
    fact("Description", text(row.JobStateDescription)),
    fact("Details", detailWords(row.JobStateDetails)),
    fact("Error code", errorCodeFact(text(row.ErrorCode))),
    fact("Copies", text(row.Copies)),
    fact("Pages", pages !== undefined ? [`${pages} (ranges `, text(row.PageRanges), ")"] : null),
    fact("Settings", settingsOf(row)),
    fact("Documents", documentsOf(row)),
    fact("Redirected to", text(row.RedirectedTo) ? redirectLink(text(row.RedirectedTo)) : null),
    fact("Redirected from", text(row.RedirectedFrom) ? redirectLink(text(row.RedirectedFrom)) : null),
    fact(
      "Recorded",
      `${history.states.length} state${history.states.length === 1 ? "" : "s"} (the audit writes one each time it sees the job change)`,
    ),
  );
}
