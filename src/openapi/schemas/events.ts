/**
 * The events feed and the polling triggers' answers (src/functions/listAuditEvents.ts, onPrintJobFinished.ts,
 * onPrinterFailing.ts, listAuditedPrinters.ts): an event is a job history row with its feed id.
 */
import { advanced, array, count, field, int, internal, ref, str, text, valueList, type Schema } from "../schema";
import { auditJobColumns } from "./auditRows";

const eventColumns: Record<string, Schema> = {
  EventId: advanced(str("Event ID", "Id of the event in the feed: observation time, printer and record key.")),
  ...auditJobColumns,
};

const alertColumns: Record<string, Schema> = {
  AlertId: advanced(text("Alert ID", "Id of the alert: the event of the aborted job that reached the threshold.")),
  PrinterId: text("Printer ID", "Id of the printer."),
  PrinterName: str("Printer name", "Name of the printer when its last aborted job was recorded."),
  AbortedJobs: count("Aborted jobs", "Distinct aborted jobs of the printer within the window."),
  Window: text("Window", "The window the jobs were counted in, as an ISO-8601 duration."),
  FirstAbortedDateTime: field(
    { type: "string", format: "date-time" },
    "First aborted",
    "When the audit saw the window's first aborted job (UTC).",
  ),
  LastAbortedDateTime: field(
    { type: "string", format: "date-time" },
    "Last aborted",
    "When the audit saw the aborted job that reached the threshold (UTC).",
  ),
  JobIds: text("Job IDs", "Ids of the aborted jobs in the window, comma-separated, oldest first."),
  ErrorCodes: str("Error codes", "Error codes of the aborted jobs in the window, latest first, comma-separated."),
  LastJobId: text("Last job ID", "Id of the aborted job that reached the threshold."),
  LastErrorCode: int("Last error code", "Error code of that job."),
};

export const eventDefinitions: Record<string, Schema> = {
  AuditEvent: {
    type: "object",
    description: "One state of a job as the audit observed it, with the columns of a job history record.",
    required: Object.keys(eventColumns),
    properties: eventColumns,
  },
  AuditEventPage: {
    type: "object",
    description: "Events in the order the audit observed them; pass cursor later to read what came after.",
    required: ["value", "cursor"],
    properties: {
      value: array("Events", "The events of this page, oldest first.", ref("AuditEvent")),
      cursor: advanced(text("Cursor", "Pass as cursor to read the events after this page, now or later.")),
      "@odata.nextLink": internal({
        type: "string",
        description: "Absolute URL of the next page, when more events are readable now.",
      }),
    },
  },
  FinishedJobs: valueList(
    "Print jobs that reached one of the chosen end states since the last poll.",
    "Finished jobs",
    "The finished jobs, oldest first.",
    ref("AuditEvent"),
  ),
  PrinterFailingAlert: {
    type: "object",
    description: "A printer reached the number of aborted jobs within the window.",
    required: Object.keys(alertColumns),
    properties: alertColumns,
  },
  PrinterFailingAlerts: valueList(
    "Printers that kept failing since the last poll.",
    "Alerts",
    "One alert per printer that reached the threshold, oldest first.",
    ref("PrinterFailingAlert"),
  ),
  AuditedPrinters: valueList(
    "The printers the audit records.",
    "Printers",
    "Each audited printer with its latest recorded name.",
    {
      type: "object",
      required: ["id", "displayName"],
      properties: {
        id: text("Printer ID", "Id of the printer."),
        displayName: text("Printer name", "Latest recorded name of the printer, or its id."),
      },
    },
  ),
};
