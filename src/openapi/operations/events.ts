/**
 * The events feed, the printer picker and the two polling triggers (Power Platform's polling protocol: 202 +
 * Location, then 200 with new items).
 */
import { p } from "../parameters";
import { ref, type Schema } from "../schema";
import { answer, commonErrors, pollHeaders } from "./responses";

interface TriggerOperation {
  operationId: string;
  summary: string;
  description: string;
  /** What the maker can do to see the trigger fire. */
  hint: string;
  parameters: Schema[];
  /** The schema of a poll's new items, and what they are called in the answers' descriptions. */
  schema: string;
  items: string;
}

function trigger({ operationId, summary, description, hint, parameters, schema, items }: TriggerOperation): Schema {
  const headers = pollHeaders("The URL of the next poll, with the trigger's state (never the function key).");
  return {
    operationId,
    summary,
    description,
    "x-ms-visibility": "important",
    "x-ms-trigger": "batch",
    "x-ms-trigger-hint": hint,
    "x-ms-trigger-metadata": { kind: "query", mode: "polling" },
    tags: ["Audit"],
    parameters,
    responses: {
      "200": {
        description: `New ${items} since the last poll; Location holds the advanced state.`,
        schema: ref(schema),
        headers,
      },
      "202": { description: `Nothing new (or the first poll): poll Location after Retry-After seconds.`, headers },
      ...commonErrors,
    },
  };
}

export const eventPaths: Record<string, Record<string, Schema>> = {
  "/audit/events": {
    get: {
      operationId: "ListAuditEvents",
      summary: "List audit events",
      description:
        "What the audit observed, in the order it observed it, after a cursor: each a job's new state. Resume later with the cursor of the answer.",
      "x-ms-visibility": "advanced",
      "x-ms-pageable": { nextLinkName: "@odata.nextLink" },
      tags: ["Audit"],
      parameters: [p("eventPrinterId"), p("eventStates"), p("user"), p("top"), p("eventCursor"), p("since")],
      responses: {
        "200": answer("A page of events, oldest first, and the cursor after it.", ref("AuditEventPage")),
        ...commonErrors,
      },
    },
  },
  "/audit/printers": {
    get: {
      operationId: "ListAuditedPrinters",
      summary: "List audited printers",
      description: "The printers the audit records, with their latest recorded names (the triggers' printer picker).",
      "x-ms-visibility": "internal",
      tags: ["Audit"],
      parameters: [],
      responses: { "200": answer("The audited printers.", ref("AuditedPrinters")), ...commonErrors },
    },
  },
  "/audit/triggers/jobFinished": {
    get: trigger({
      operationId: "OnPrintJobFinished",
      summary: "When a print job finishes",
      description:
        "Starts the flow for each print job the audit sees reaching one of the chosen end states (aborted and canceled by default).",
      hint: "To see it work now, cancel a print job; the next audit run records it.",
      parameters: [p("triggerPrinterId"), p("endStates"), p("triggerUser"), p("triggerCursor")],
      schema: "FinishedJobs",
      items: "finished jobs",
    }),
  },
  "/audit/triggers/printerFailing": {
    get: trigger({
      operationId: "OnPrinterFailing",
      summary: "When a printer keeps failing",
      description:
        "Starts the flow when a printer has the chosen number of aborted jobs within the window (3 within an hour by default).",
      hint: "To see it work now, let a printer abort three jobs; the next audit run records them.",
      parameters: [p("triggerPrinterId"), p("threshold"), p("window"), p("triggerCursor")],
      schema: "PrinterFailingAlerts",
      items: "alerts",
    }),
  },
};
