/**
 * The audit read API's answers (src/functions/getJobTimeline.ts, listAuditJobs.ts): rows carry the audit
 * tables' column names, after Universal Print's UniversalPrintJob_CL log; every column is present, null when
 * not recorded.
 */
import {
  advanced,
  array,
  bool,
  dateTime,
  int,
  internal,
  jobStates,
  ref,
  str,
  taskStates,
  text,
  type Schema,
} from "../schema";

/** The columns of a job history row (also the columns of an event). */
export const auditJobColumns: Record<string, Schema> = {
  PrinterId: str("Printer ID", "Id of the printer."),
  PrinterName: str("Printer name", "Name of the printer when the job was recorded."),
  JobId: str("Job ID", "Id of the job."),
  JobState: str("Job state", `Job state: ${jobStates}.`),
  JobStateDetails: str("State details", "Reasons for the state, comma-separated."),
  JobStateDescription: str("State description", "Graph's description of the state."),
  ErrorCode: advanced(int("Error code", "Error code of a failed job.")),
  IsAcquiredByPrinter: advanced(bool("Acquired by printer", "Whether a printer had taken the job.")),
  CreatedDateTime: dateTime("Created", "When the job was submitted (UTC)."),
  AcknowledgedDateTime: advanced(dateTime("Acknowledged", "When the printer acknowledged the job.")),
  CreatedBy: str(
    "Submitted by",
    "User principal name of the submitter (a hash, or null, when the audit redacts users).",
  ),
  CreatedById: advanced(str("Submitter ID", "Object id of the submitter (or its hash).")),
  CreatedByName: advanced(str("Submitter name", "Display name of the submitter (null when redacted).")),
  Copies: int("Copies", "Number of copies."),
  ColorMode: str("Color mode", "Color mode of the job."),
  DuplexMode: str("Duplex mode", "Duplex mode of the job."),
  MediaSize: str("Paper size", "Paper size of the job."),
  MediaType: advanced(str("Media type", "Media type of the job.")),
  Orientation: advanced(str("Orientation", "Orientation of the job.")),
  Dpi: advanced(int("Resolution in DPI", "Resolution in dots per inch.")),
  PagesPerSheet: advanced(int("Pages per sheet", "Pages printed on each side of a sheet.")),
  Collate: advanced(bool("Collate", "Whether copies are collated.")),
  PageRanges: advanced(str("Page ranges", "Pages to print, e.g. 1-3,5.")),
  DocumentCount: advanced(int("Document count", "Number of documents.")),
  DocumentSizeInBytes: int("Document size", "Total size of the documents in bytes.", "int64"),
  DocumentNames: advanced(
    str("Document names", "Names of the documents, separated by '; ' (null when the audit omits them)."),
  ),
  RedirectedFrom: advanced(str("Redirected from", "Graph URL of the job this job was redirected from, when it was.")),
  RedirectedTo: advanced(str("Redirected to", "Graph URL of the job this job was redirected to, when it was.")),
  TaskCount: advanced(int("Task count", "Number of tasks on the job.")),
  TaskStates: advanced(str("Task states", "How many tasks are in each state, e.g. completed=2;processing=1.")),
  Sequence: advanced(int("Sequence", "Order of this record among the job's records.")),
  ObservedDateTime: dateTime("Observed", "When the audit saw the job in this state (UTC)."),
  RunId: advanced(str("Audit run ID", "Id of the audit run that recorded it.")),
  IsFetchable: advanced(bool("Fetchable", "Whether a printer could fetch the job when it was recorded.")),
  Configuration: advanced(
    str(
      "Configuration",
      "The job's whole print configuration as JSON (Graph's printJobConfiguration, keys sorted), e.g. finishings, margin, scaling.",
    ),
  ),
};

const auditTaskColumns: Record<string, Schema> = {
  PrinterId: str("Printer ID", "Id of the printer."),
  JobId: str("Job ID", "Id of the job."),
  TaskId: str("Task ID", "Id of the task."),
  TaskState: str("Task state", `${taskStates}.`),
  TaskDescription: str("Task state description", "Graph's description of the task's state."),
  Sequence: advanced(int("Sequence", "Order of this record among the job's records.")),
  ObservedDateTime: dateTime("Observed", "When the audit saw the task in this state (UTC)."),
  RunId: advanced(str("Audit run ID", "Id of the audit run that recorded it.")),
};

export const auditRowDefinitions: Record<string, Schema> = {
  AuditJobRow: {
    type: "object",
    description: "One recorded state of a job, with column names after Universal Print's UniversalPrintJob_CL log.",
    required: Object.keys(auditJobColumns),
    properties: auditJobColumns,
  },
  AuditTaskRow: {
    type: "object",
    description: "One recorded state of a task of a job.",
    required: Object.keys(auditTaskColumns),
    properties: auditTaskColumns,
  },
  AuditTimeline: {
    type: "object",
    description: "Everything the audit recorded about one job.",
    required: ["printerId", "jobId", "printerName", "current", "states", "tasks"],
    properties: {
      printerId: text("Printer ID", "Id of the printer."),
      jobId: text("Job ID", "Id of the job."),
      printerName: str("Printer name", "Name of the printer when the job was last recorded."),
      current: ref("AuditJobRow"),
      states: array("States", "Every recorded state of the job, oldest first.", ref("AuditJobRow")),
      tasks: array("Task states", "Every recorded task state, oldest first.", ref("AuditTaskRow")),
    },
  },
  AuditPage: {
    type: "object",
    description: "A page of audited job records; follow @odata.nextLink (or pass continuationToken) for the next.",
    required: ["value"],
    properties: {
      value: array("Jobs", "The records of this page: by printer, newest job first.", ref("AuditJobRow")),
      continuationToken: advanced(text("Continuation token", "Pass as continuationToken to get the next page.")),
      "@odata.nextLink": internal({ type: "string", description: "Absolute URL of the next page." }),
    },
  },
};
