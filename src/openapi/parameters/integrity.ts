/** The integrity check's range and its background check's id (GET /audit/integrity). */
import { type Schema } from "../schema";
import { pathParameter, textType } from "./parameter";

const day = (name: string, summary: string, description: string): Schema => ({
  name,
  in: "query",
  required: true,
  type: "string",
  format: "date",
  "x-ms-summary": summary,
  description,
});

export const integrityParameters = {
  integrityFrom: day("from", "From day", "First UTC day of the jobs' created time (2026-11-01)."),
  integrityTo: day("to", "To day", "Last UTC day, included (2026-11-30); at most 3660 days after From."),
  checkId: pathParameter(
    "checkId",
    textType,
    "Check ID",
    "Id of a background check, as the verify action returned it.",
  ),
} satisfies Record<string, Schema>;
