/** The daily summaries' answer (src/audit/read/summariesQuery.ts): counts per UTC day, printer, state and person. */
import { array, count, field, str, text, type Schema } from "../schema";

const day = (summary: string, description: string): Schema =>
  field({ type: "string", format: "date" }, summary, description);

const jobsPerState: Schema = {
  ...field({ type: "object" }, "Jobs per state", "Jobs by their latest recorded state, e.g. completed: 812."),
  additionalProperties: { type: "integer", format: "int32" },
};

export const summaryDefinitions: Record<string, Schema> = {
  AuditSummaries: {
    type: "object",
    description: "Jobs created in a range of UTC days, each counted once in its latest recorded state.",
    required: ["from", "to", "jobs", "states", "days", "printers", "users"],
    properties: {
      from: day("From", "First UTC day of the range."),
      to: day("To", "Last UTC day of the range."),
      timeZone: text("Time zone", "Always UTC: the days are UTC days."),
      jobs: count("Jobs", "Jobs created in the range."),
      states: array("States", "The states counted, usual order first.", { type: "string" }),
      days: array("Days", "Every day of the range, quiet days with 0.", {
        type: "object",
        properties: {
          day: day("Day", "The UTC day."),
          jobs: count("Jobs", "Jobs created that day."),
          states: jobsPerState,
        },
      }),
      printers: array("Printers", "Every printer with jobs in the range, busiest first.", {
        type: "object",
        properties: {
          printerId: text("Printer ID", "Id of the printer."),
          printerName: str("Printer name", "Name of the printer on its newest day in the range."),
          jobs: count("Jobs", "Jobs of the printer in the range."),
          aborted: count("Aborted", "Of them, aborted."),
          canceled: count("Canceled", "Of them, canceled."),
          states: jobsPerState,
        },
      }),
      users: array(
        "Busiest people",
        "The people with the most jobs, as recorded (UPN or id, or pseudonyms when the audit hashes users).",
        {
          type: "object",
          properties: {
            user: text("User", "The person as recorded."),
            jobs: count("Jobs", "Their jobs in the range."),
          },
        },
      ),
      usersRecorded: field({ type: "boolean" }, "Users recorded", "False when the audit records no users."),
    },
  },
};
