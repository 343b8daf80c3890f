/**
 * The columns of the audit's rows, whose names follow Universal Print's own job log (UniversalPrintJob_CL)
 * where the data is the same.
 */

/** The columns of a job history row (and of a current-state row), in the order the read API and CSV show them. */
export const jobColumns = [
  "PrinterId",
  "PrinterName",
  "JobId",
  "JobState",
  "JobStateDetails",
  "JobStateDescription",
  "ErrorCode",
  "IsAcquiredByPrinter",
  "CreatedDateTime",
  "AcknowledgedDateTime",
  "CreatedBy",
  "CreatedById",
  "CreatedByName",
  "Copies",
  "ColorMode",
  "DuplexMode",
  "MediaSize",
  "MediaType",
  "Orientation",
  "Dpi",
  "PagesPerSheet",
  "Collate",
  "PageRanges",
  "DocumentCount",
  "DocumentSizeInBytes",
  "DocumentNames",
  "RedirectedFrom",
  "RedirectedTo",
  "TaskCount",
  "TaskStates",
  "Sequence",
  "ObservedDateTime",
  "RunId",
  "IsFetchable",
  "Configuration",
] as const;

export const taskColumns = [
  "PrinterId",
  "JobId",
  "TaskId",
  "TaskState",
  "TaskDescription",
  "Sequence",
  "ObservedDateTime",
  "RunId",
] as const;

export type JobColumn = (typeof jobColumns)[number];
export type TaskColumn = (typeof taskColumns)[number];
export type RowValue = string | number | boolean;
export type JobRow = Partial<Record<JobColumn, RowValue>>;
export type TaskRow = Partial<Record<TaskColumn, RowValue>>;
