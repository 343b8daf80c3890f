/**
 * What the audit records of a print job and its tasks: the Graph payload parsed once, tolerantly
 * (any field may be missing, null or of the wrong type; unknown states stay as text), into flat table
 * rows whose column names follow Universal Print's own job log (UniversalPrintJob_CL) where the data is
 * the same. Rows always fit Table Storage (store/sizes.ts).
 */
import { type PrintJob } from "../../graph/types";
import { type JobIdentity } from "../privacy";
import { type JobRow, type RowValue } from "./columns";
import { asArray, asBoolean, asNumber, asObject, asString, type MalformedData } from "./graphValues";
import { parseJobState, parseTasks, taskStateSummary, type JobState, type TaskState } from "./jobState";
import { createdByOf, personalDataOf, type PersonalData, type PrivacySettings } from "./personalData";

/** One observation of a job, parsed from Graph. */
export interface JobSnapshot {
  jobId: string;
  createdDateTime?: string;
  status: JobState;
  row: JobRow;
  /** Undefined when Graph's answer had no tasks (a list page); [] when it had none. */
  tasks?: TaskState[];
  /** The job's own user identifiers and document names as Graph sent them (for scrubbing and the erasure list; never stored). */
  identity: JobIdentity;
  /** Free text (task descriptions) scrubbed as the privacy settings ask. */
  scrub: (text: string) => string;
  /** The privacy marker columns of every row written from this observation. */
  markers: Record<string, string>;
}

/** Parses one Graph printJob (tolerantly) into the snapshot the audit compares and records. */
export function snapshotOf(
  job: PrintJob,
  printer: { id: string; name?: string },
  privacy: PrivacySettings,
  malformed: MalformedData,
): JobSnapshot | undefined {
  const jobId = asString(job.id, "id", malformed);
  if (!jobId) {
    malformed.note("id");
    return undefined;
  }
  const status = parseJobState(job, malformed);
  const configuration = asObject(job.configuration, "configuration", malformed) ?? {};
  const documents = documentsOf(job.documents, malformed);
  const createdDateTime = asString(job.createdDateTime, "createdDateTime", malformed);
  const tasks = job.tasks === undefined ? undefined : parseTasks(job.tasks, malformed);
  const createdBy = createdByOf(asObject(job.createdBy, "createdBy", malformed), malformed);
  const personal = personalDataOf(createdBy, documents.names, privacy);
  const observed = { printer, jobId, createdDateTime, status, configuration, documents, tasks, personal };
  const row = jobRowOf(observed, malformed);
  const { identity, scrub, markers } = personal;
  return { jobId, createdDateTime, status, row, tasks, identity, scrub, markers };
}

interface Documents {
  /** Undefined when Graph's answer had no documents. */
  count?: number;
  sizeInBytes?: number;
  names: string[];
}

function documentsOf(value: unknown, malformed: MalformedData): Documents {
  const documents = asArray(value, "documents", malformed)
    .map((d) => asObject(d, "documents[]", malformed))
    .filter((d): d is Record<string, unknown> => d !== undefined);
  const sizes = documents
    .map((d) => asNumber(d.size, "documents[].size", malformed))
    .filter((n): n is number => n !== undefined);
  const names = documents
    .map((d) => asString(d.displayName, "documents[].displayName", malformed))
    .filter((n): n is string => !!n);
  return {
    count: value === undefined ? undefined : documents.length,
    sizeInBytes: sizes.length > 0 ? sizes.reduce((a, b) => a + b, 0) : undefined,
    names,
  };
}

/** The job row of one observation, its columns in the order jobColumns shows them. */
function jobRowOf(
  o: {
    printer: { id: string; name?: string };
    jobId: string;
    createdDateTime?: string;
    status: JobState;
    configuration: Record<string, unknown>;
    documents: Documents;
    tasks?: TaskState[];
    personal: PersonalData;
  },
  malformed: MalformedData,
): JobRow {
  const { status, personal } = o;
  return defined({
    PrinterId: o.printer.id,
    PrinterName: o.printer.name,
    JobId: o.jobId,
    JobState: status.state,
    JobStateDetails: status.details ? personal.scrub(status.details) : undefined,
    JobStateDescription: status.description === undefined ? undefined : personal.scrub(status.description),
    ErrorCode: status.errorCode,
    IsAcquiredByPrinter: status.isAcquiredByPrinter,
    CreatedDateTime: o.createdDateTime,
    AcknowledgedDateTime: status.acknowledgedDateTime,
    ...personal.userColumns,
    ...configurationColumns(o.configuration, malformed),
    DocumentCount: o.documents.count,
    DocumentSizeInBytes: o.documents.sizeInBytes,
    DocumentNames: personal.documentNames,
    RedirectedFrom: status.redirectedFrom,
    RedirectedTo: status.redirectedTo,
    TaskCount: o.tasks?.length,
    TaskStates: o.tasks ? taskStateSummary(o.tasks) : undefined,
    IsFetchable: status.isFetchable,
    Configuration: status.configuration,
  });
}

/** The printJobConfiguration settings that have their own columns (the whole of it is in Configuration). */
function configurationColumns(configuration: Record<string, unknown>, malformed: MalformedData): JobRow {
  const c = configuration;
  return {
    Copies: asNumber(c.copies, "configuration.copies", malformed),
    ColorMode: asString(c.colorMode, "configuration.colorMode", malformed),
    DuplexMode: asString(c.duplexMode, "configuration.duplexMode", malformed),
    MediaSize: asString(c.mediaSize, "configuration.mediaSize", malformed),
    MediaType: asString(c.mediaType, "configuration.mediaType", malformed),
    Orientation: asString(c.orientation, "configuration.orientation", malformed),
    Dpi: asNumber(c.dpi, "configuration.dpi", malformed),
    PagesPerSheet: asNumber(c.pagesPerSheet, "configuration.pagesPerSheet", malformed),
    Collate: asBoolean(c.collate, "configuration.collate", malformed),
    PageRanges: pageRanges(c.pageRanges, malformed),
  };
}

function pageRanges(value: unknown, malformed: MalformedData): string | undefined {
  const ranges = asArray(value, "configuration.pageRanges", malformed);
  const parts: string[] = [];
  for (const raw of ranges) {
    const range = asObject(raw, "configuration.pageRanges[]", malformed);
    if (!range) continue;
    const start = asNumber(range.start, "configuration.pageRanges[].start", malformed);
    const end = asNumber(range.end, "configuration.pageRanges[].end", malformed);
    if (start === undefined && end === undefined) continue;
    parts.push(start === end || end === undefined ? String(start) : `${start ?? 1}-${end}`);
  }
  return parts.length > 0 ? parts.join(",") : undefined;
}

/** Drops undefined values, so a missing field is a missing column. */
function defined<T extends Record<string, RowValue | undefined>>(row: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as never;
}
