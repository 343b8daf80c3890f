/** The events feed's and the triggers' query options. */
import { type Schema } from "../schema";
import { submittedBy } from "./auditJobs";
import { queryParameter, textType, visibility } from "./parameter";

/** The triggers' printer picker: the audited printers, listed by ListAuditedPrinters. */
const printerPicker: Schema = {
  ...visibility("important"),
  "x-ms-dynamic-values": {
    operationId: "ListAuditedPrinters",
    "value-collection": "value",
    "value-path": "id",
    "value-title": "displayName",
  },
};

export const eventParameters = {
  eventPrinterId: queryParameter("printerId", textType, "Printer ID", "Only events of this printer.", {
    format: "uuid",
  }),
  eventStates: queryParameter(
    "state",
    textType,
    "Job states",
    "Only events in these states, comma-separated, e.g. aborted,canceled.",
    visibility("advanced"),
  ),
  eventCursor: queryParameter(
    "cursor",
    textType,
    "Cursor",
    "The cursor of a previous answer: read the events after it.",
    visibility("advanced"),
  ),
  since: queryParameter(
    "since",
    textType,
    "Since",
    "Without a cursor: start at this time, an ISO-8601 date-time with a zone. Neither: from the oldest event kept.",
    { format: "date-time", ...visibility("advanced") },
  ),
  triggerPrinterId: queryParameter(
    "printerId",
    textType,
    "Printer",
    "The printer to watch. Empty: every audited printer.",
    printerPicker,
  ),
  endStates: queryParameter(
    "states",
    textType,
    "End states",
    "Which ends to report: completed, canceled, aborted, comma-separated (default aborted,canceled).",
    {
      default: "aborted,canceled",
      enum: ["aborted,canceled", "aborted", "canceled", "completed", "completed,canceled,aborted"],
      ...visibility("important"),
    },
  ),
  triggerUser: submittedBy,
  triggerCursor: queryParameter(
    "cursor",
    textType,
    "Trigger state",
    "Set by the app in the Location it returns; do not set it yourself.",
    visibility("internal"),
  ),
  threshold: queryParameter(
    "threshold",
    { type: "integer", format: "int32", minimum: 2, maximum: 100, default: 3 },
    "Aborted jobs",
    "How many distinct aborted jobs within the window make a printer failing (2-100, default 3).",
    visibility("important"),
  ),
  window: queryParameter(
    "window",
    textType,
    "Window",
    "The window the aborted jobs are counted in, as an ISO-8601 duration from PT1M to P1D (default PT1H).",
    { default: "PT1H", ...visibility("important") },
  ),
} satisfies Record<string, Schema>;
