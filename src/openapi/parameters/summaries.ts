/** The daily summaries' range and size (GET /audit/summaries). */
import { type Schema } from "../schema";
import { queryParameter, visibility } from "./parameter";

export const summaryParameters = {
  summaryFrom: queryParameter(
    "from",
    { type: "string", format: "date" },
    "From day",
    "First UTC day (2026-11-01). Default: 30 days before To.",
  ),
  summaryTo: queryParameter(
    "to",
    { type: "string", format: "date" },
    "To day",
    "Last UTC day, included (2026-11-30); at most 366 days after From. Default: today.",
  ),
  summaryTop: queryParameter(
    "top",
    { type: "integer", format: "int32", minimum: 1, maximum: 100 },
    "Busiest people",
    "How many of the busiest people to list (1-100, default 10).",
    visibility("advanced"),
  ),
} satisfies Record<string, Schema>;
