/** The get-job and wait operations' parameters: the job's route and what to return. */
import { type Schema } from "../schema";
import { pathParameter, queryParameter, textType, visibility } from "./parameter";

export const printJobParameters = {
  printerId: pathParameter(
    "printerId",
    { type: "string", format: "uuid" },
    "Printer ID",
    "Id (GUID) of the Universal Print printer, from the Universal Print portal or Graph.",
  ),
  shareId: pathParameter(
    "shareId",
    { type: "string", format: "uuid" },
    "Printer share ID",
    "Id (GUID) of the printer share the job was submitted to.",
  ),
  jobId: pathParameter(
    "jobId",
    { type: "string", pattern: "^[A-Za-z0-9-]{1,64}$" },
    "Job ID",
    "Id of the print job, e.g. 5182.",
  ),
  select: queryParameter(
    "$select",
    textType,
    "Properties",
    "Comma-separated job properties to return, e.g. id,status,createdBy. Empty: all.",
    visibility("advanced"),
  ),
  expand: queryParameter(
    "$expand",
    { type: "string", enum: ["tasks", "documents", "tasks,documents"] },
    "Include",
    "Also return the job's tasks, its documents, or both.",
    visibility("advanced"),
  ),
  timeout: queryParameter(
    "timeout",
    { type: "string", default: "PT1H" },
    "Timeout",
    "How long to wait, as an ISO-8601 duration: PT10M, PT1H (default) … PT24H at most. Then the action fails with 504.",
    visibility("important"),
  ),
  deadline: queryParameter(
    "deadline",
    { type: "string", format: "date-time" },
    "Deadline",
    "Set by the app in the Location it returns while the job runs; do not set it yourself.",
    visibility("internal"),
  ),
} satisfies Record<string, Schema>;
