/** The audited jobs list's filters and paging (GET /audit/jobs). */
import { type Schema } from "../schema";
import { queryParameter, textType, visibility } from "./parameter";

/** Only jobs of one person; the finished-job trigger takes the same option. */
export const submittedBy = queryParameter(
  "user",
  textType,
  "Submitted by",
  "Only jobs of this user (user principal name or object id).",
  visibility("advanced"),
);

export const auditJobParameters = {
  auditPrinterId: queryParameter(
    "printerId",
    { type: "string", format: "uuid" },
    "Printer ID",
    "Only jobs of this printer.",
  ),
  from: queryParameter(
    "from",
    textType,
    "From",
    "Jobs created at or after this time: an ISO-8601 date (2026-11-24, from its start) or date-time with a zone (2026-11-24T08:00:00Z).",
  ),
  to: queryParameter(
    "to",
    textType,
    "To",
    "Jobs created at or before this time: an ISO-8601 date (to its end) or date-time with a zone.",
  ),
  state: queryParameter(
    "state",
    textType,
    "Job state",
    "Only jobs whose last recorded state is this, e.g. aborted.",
    visibility("advanced"),
  ),
  user: submittedBy,
  top: queryParameter(
    "top",
    { type: "integer", format: "int32", minimum: 1, maximum: 1000 },
    "Page size",
    "Records per page (1-1000, default 100).",
    visibility("advanced"),
  ),
  format: queryParameter(
    "format",
    { type: "string", enum: ["json", "csv"], default: "json" },
    "Format",
    "csv returns the whole filtered history as a CSV file (text/csv) instead of a JSON page.",
    visibility("internal"),
  ),
  latest: queryParameter(
    "latest",
    { type: "boolean", default: false },
    "Latest state only",
    "true lists each job once, in its latest recorded state (newest job first); false lists every recorded state.",
    visibility("advanced"),
  ),
  continuationToken: queryParameter(
    "continuationToken",
    textType,
    "Continuation token",
    "From the previous page, to get the next one.",
    visibility("advanced"),
  ),
} satisfies Record<string, Schema>;
