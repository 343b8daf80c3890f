/**
 * What the audit records of a print job and its tasks: the Graph payload parsed once, tolerantly
 * (any field may be missing, null or of the wrong type; unknown states stay as text), into flat table
 * rows whose column names follow Universal Print's own job log (UniversalPrintJob_CL) where the data is
 * the same. Rows always fit Table Storage: strings are cut at 32,000 characters with a marker and the
 * whole row is kept under 1 MiB.
 */
import { createHash } from "node:crypto";
import { isTerminalJobState, type PrintJob, type PrintTask } from "../graph/types";
import {
  documentMarkerOf,
  erasedText,
  freeTextScrubber,
  identityOf,
  markerColumns,
  pseudonym,
  userMarkerOf,
  type JobIdentity,
  type PrivacyPolicy,
} from "./privacy";
import { PseudonymKeyMissingError } from "../errors";

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

/** The privacy settings with the pseudonym key resolved (see privacyKey.ts). */
export type PrivacySettings = PrivacyPolicy;

/** Counts fields Graph sent in a shape the audit did not expect, to be logged once per run. */
export class MalformedData {
  readonly fields = new Map<string, number>();
  note(field: string): void {
    this.fields.set(field, (this.fields.get(field) ?? 0) + 1);
  }
  get count(): number {
    let total = 0;
    for (const n of this.fields.values()) total += n;
    return total;
  }
  summary(): string {
    return [...this.fields.entries()].map(([field, n]) => `${field}=${n}`).join(", ");
  }
}

function asObject(value: unknown, field: string, malformed: MalformedData): Record<string, unknown> | undefined {
  if (value == null) return undefined;
  if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  malformed.note(field);
  return undefined;
}

function asString(value: unknown, field: string, malformed: MalformedData): string | undefined {
  if (value == null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") {
    malformed.note(field);
    return String(value);
  }
  malformed.note(field);
  return undefined;
}

function asNumber(value: unknown, field: string, malformed: MalformedData): number | undefined {
  if (value == null) return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) {
    malformed.note(field);
    return Number(value);
  }
  malformed.note(field);
  return undefined;
}

function asBoolean(value: unknown, field: string, malformed: MalformedData): boolean | undefined {
  if (value == null) return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") {
    malformed.note(field);
    return value === "true";
  }
  malformed.note(field);
  return undefined;
}

function asArray(value: unknown, field: string, malformed: MalformedData): unknown[] {
  if (value == null) return [];
  if (Array.isArray(value)) return value;
  malformed.note(field);
  return [];
}

/** The parts of a job whose change is a new observation (the task states are fingerprinted apart). */
export interface JobState {
  state: string;
  details: string;
  description?: string;
  errorCode?: number;
  isAcquiredByPrinter?: boolean;
  acknowledgedDateTime?: string;
  redirectedFrom?: string;
  redirectedTo?: string;
  isFetchable?: boolean;
  /** The whole printJobConfiguration as canonical JSON (keys sorted), so any setting's change is seen. */
  configuration?: string;
}

export interface TaskState {
  id: string;
  state: string;
  description?: string;
}

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

export function parseJobState(job: PrintJob, malformed: MalformedData): JobState {
  const status = asObject(job.status, "status", malformed) ?? {};
  const details = asArray(status.details, "status.details", malformed)
    .map((d) => asString(d, "status.details[]", malformed))
    .filter((d): d is string => d !== undefined);
  return {
    state: asString(status.state, "status.state", malformed) ?? "unknown",
    details: details.join(","),
    description: asString(status.description, "status.description", malformed),
    errorCode: asNumber(job.errorCode, "errorCode", malformed),
    isAcquiredByPrinter: asBoolean(status.isAcquiredByPrinter, "status.isAcquiredByPrinter", malformed),
    acknowledgedDateTime: asString(job.acknowledgedDateTime, "acknowledgedDateTime", malformed),
    redirectedFrom: asString(job.redirectedFrom, "redirectedFrom", malformed),
    redirectedTo: asString(job.redirectedTo, "redirectedTo", malformed),
    isFetchable: asBoolean(job.isFetchable, "isFetchable", malformed),
    configuration: configurationJson(job.configuration, malformed),
  };
}

/** Deeper than this, Graph's configuration is not a printJobConfiguration (its deepest part is margin, 2 levels). */
const maxConfigurationDepth = 8;

/** Canonical JSON of the configuration (keys sorted at every level); undefined when there is none or it is empty. */
export function configurationJson(value: unknown, malformed: MalformedData): string | undefined {
  const configuration = asObject(value, "configuration", malformed);
  if (!configuration || Object.keys(configuration).length === 0) return undefined;
  const canonical = (item: unknown, depth: number): unknown => {
    if (depth > maxConfigurationDepth) {
      malformed.note("configuration");
      return null;
    }
    if (Array.isArray(item)) return item.map((v) => canonical(v, depth + 1));
    if (item === null || typeof item !== "object") return item;
    return Object.fromEntries(
      Object.keys(item)
        .sort()
        .map((k) => [k, canonical((item as Record<string, unknown>)[k], depth + 1)]),
    );
  };
  return JSON.stringify(canonical(configuration, 0));
}

export function parseTasks(tasks: unknown, malformed: MalformedData): TaskState[] {
  const parsed: TaskState[] = [];
  for (const raw of asArray(tasks, "tasks", malformed)) {
    const task = asObject(raw, "tasks[]", malformed) as PrintTask | undefined;
    const id = asString(task?.id, "tasks[].id", malformed);
    if (!task || !id) {
      if (task) malformed.note("tasks[].id");
      continue;
    }
    const status = asObject(task.status, "tasks[].status", malformed) ?? {};
    parsed.push({
      id,
      state: asString(status.state, "tasks[].status.state", malformed) ?? "unknown",
      description: asString(status.description, "tasks[].status.description", malformed),
    });
  }
  return parsed;
}

function fingerprintOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** Job fingerprints that also cover isFetchable and the whole configuration carry this prefix. */
const fingerprintV2 = "v2:";

/**
 * Changes when any compared field of the job changes. Version 1 (no prefix; before isFetchable and the
 * configuration were compared) is still computed to compare with current rows written before the upgrade,
 * so an upgrade records no new observation of jobs that did not change.
 */
export function jobFingerprint(state: JobState, version: 1 | 2 = 2): string {
  const s = state;
  const v1 = [
    s.state,
    s.details,
    s.description ?? null,
    s.errorCode ?? null,
    s.isAcquiredByPrinter ?? null,
    s.acknowledgedDateTime ?? null,
    s.redirectedFrom ?? null,
    s.redirectedTo ?? null,
  ];
  if (version === 1) return fingerprintOf(v1);
  return fingerprintV2 + fingerprintOf([...v1, s.isFetchable ?? null, s.configuration ?? null]);
}

/** The version of a recorded job fingerprint: what a new observation must be compared in. */
export function jobFingerprintVersion(recorded: string | undefined): 1 | 2 {
  return recorded && !recorded.startsWith(fingerprintV2) ? 1 : 2;
}

/** Changes when a task appears, disappears or changes state. */
export function tasksFingerprint(tasks: readonly TaskState[]): string {
  return fingerprintOf([...tasks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((t) => [t.id, t.state]));
}

/** The fingerprint of one observation (job fields and task states), 10 hex digits as it goes into keys. */
export function observationFingerprint(jobFp: string, tasksFp: string): string {
  return fingerprintOf([jobFp, tasksFp]).slice(0, 10);
}

export function isTerminal(state: string): boolean {
  return isTerminalJobState(state);
}

function hashUser(value: string, privacy: PrivacySettings): string {
  if (!privacy.key) throw new PseudonymKeyMissingError();
  return pseudonym(value, privacy.key);
}

interface CreatedBy {
  id?: string;
  upn?: string;
  name?: string;
}

function createdByOf(createdBy: Record<string, unknown> | undefined, malformed: MalformedData): CreatedBy {
  if (!createdBy) return {};
  return {
    id: asString(createdBy.id, "createdBy.id", malformed) || undefined,
    upn: asString(createdBy.userPrincipalName, "createdBy.userPrincipalName", malformed) || undefined,
    name: asString(createdBy.displayName, "createdBy.displayName", malformed) || undefined,
  };
}

/** The user columns as the privacy settings allow: as Graph sends them, HMAC-SHA256 hex of the lower-cased value keyed with AUDIT_HASH_KEY, or left out. */
export function userColumns(
  createdBy: Record<string, unknown> | undefined,
  privacy: PrivacySettings,
  malformed: MalformedData,
): JobRow {
  return columnsOfUser(createdByOf(createdBy, malformed), privacy);
}

function columnsOfUser({ id, upn, name }: CreatedBy, privacy: PrivacySettings): JobRow {
  if (privacy.redactUsers === "omit") return {};
  if (privacy.redactUsers === "hash") {
    return {
      ...(id ? { CreatedById: hashUser(id, privacy) } : {}),
      ...(upn ? { CreatedBy: hashUser(upn, privacy) } : {}),
    };
  }
  return {
    ...(id ? { CreatedById: id } : {}),
    ...(upn ? { CreatedBy: upn } : {}),
    ...(name ? { CreatedByName: name } : {}),
  };
}

/**
 * How a user filter value is compared with the stored columns: as given, lower-cased, and its pseudonym
 * under the current key, so a person's rows are found whatever mode they were recorded under.
 */
export function userFilterValues(value: string, privacy: PrivacySettings): string[] {
  return [...new Set([value, value.toLowerCase(), ...(privacy.key ? [pseudonym(value, privacy.key)] : [])])];
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
  const documents = asArray(job.documents, "documents", malformed)
    .map((d) => asObject(d, "documents[]", malformed))
    .filter((d): d is Record<string, unknown> => d !== undefined);
  const sizes = documents
    .map((d) => asNumber(d.size, "documents[].size", malformed))
    .filter((n): n is number => n !== undefined);
  const names = documents
    .map((d) => asString(d.displayName, "documents[].displayName", malformed))
    .filter((n): n is string => !!n);
  const createdDateTime = asString(job.createdDateTime, "createdDateTime", malformed);
  const tasks = job.tasks === undefined ? undefined : parseTasks(job.tasks, malformed);
  const createdBy = createdByOf(asObject(job.createdBy, "createdBy", malformed), malformed);
  const identity = identityOf(createdBy, names);
  const erased = privacy.isErased?.(identity) === true;
  const scrubUsers = erased ? erasedText : privacy.redactUsers === "none" ? "none" : userMarkerOf(privacy);
  const scrubDocuments = erased ? "erased" : documentMarkerOf(privacy);
  const scrub =
    scrubUsers === "none" && scrubDocuments === "keep"
      ? (text: string) => text
      : freeTextScrubber(identity, scrubUsers, scrubDocuments, privacy.key);
  const userRow = erased
    ? Object.fromEntries(
        Object.keys(columnsOfUser(createdBy, { redactUsers: "none", omitDocumentNames: false })).map((c) => [
          c,
          erasedText,
        ]),
      )
    : columnsOfUser(createdBy, privacy);
  const row: JobRow = defined({
    PrinterId: printer.id,
    PrinterName: printer.name,
    JobId: jobId,
    JobState: status.state,
    JobStateDetails: status.details ? scrub(status.details) : undefined,
    JobStateDescription: status.description === undefined ? undefined : scrub(status.description),
    ErrorCode: status.errorCode,
    IsAcquiredByPrinter: status.isAcquiredByPrinter,
    CreatedDateTime: createdDateTime,
    AcknowledgedDateTime: status.acknowledgedDateTime,
    ...userRow,
    Copies: asNumber(configuration.copies, "configuration.copies", malformed),
    ColorMode: asString(configuration.colorMode, "configuration.colorMode", malformed),
    DuplexMode: asString(configuration.duplexMode, "configuration.duplexMode", malformed),
    MediaSize: asString(configuration.mediaSize, "configuration.mediaSize", malformed),
    MediaType: asString(configuration.mediaType, "configuration.mediaType", malformed),
    Orientation: asString(configuration.orientation, "configuration.orientation", malformed),
    Dpi: asNumber(configuration.dpi, "configuration.dpi", malformed),
    PagesPerSheet: asNumber(configuration.pagesPerSheet, "configuration.pagesPerSheet", malformed),
    Collate: asBoolean(configuration.collate, "configuration.collate", malformed),
    PageRanges: pageRanges(configuration.pageRanges, malformed),
    DocumentCount: job.documents === undefined ? undefined : documents.length,
    DocumentSizeInBytes: sizes.length > 0 ? sizes.reduce((a, b) => a + b, 0) : undefined,
    DocumentNames: privacy.omitDocumentNames || names.length === 0 ? undefined : erased ? erasedText : names.join("; "),
    RedirectedFrom: status.redirectedFrom,
    RedirectedTo: status.redirectedTo,
    TaskCount: tasks?.length,
    TaskStates: tasks ? taskStateSummary(tasks) : undefined,
    IsFetchable: status.isFetchable,
    Configuration: status.configuration,
  });
  return { jobId, createdDateTime, status, row, tasks, identity, scrub, markers: markerColumns(privacy, erased) };
}

/** "completed=2;processing=1": how many tasks are in each state. */
export function taskStateSummary(tasks: readonly TaskState[]): string | undefined {
  if (tasks.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([state, n]) => `${state}=${n}`)
    .join(";");
}

/** A Table string property holds 64 KiB of UTF-16: 32,768 characters; keep room for the marker. */
export const maxStringChars = 32_000;
/** An entity holds 1 MiB; keep a margin for keys, names and the service's own properties. */
export const maxEntityBytes = 960 * 1024;

export function truncate(value: string, maxChars = maxStringChars): string {
  if (value.length <= maxChars) return value;
  const marker = `…[truncated ${value.length - maxChars} of ${value.length} characters]`;
  let cut = maxChars - marker.length;
  // Never split a surrogate pair.
  if (cut > 0 && /[\uD800-\uDBFF]/.test(value[cut - 1]!)) cut--;
  return value.slice(0, Math.max(0, cut)) + marker;
}

/** The size Table Storage counts for an entity (strings as UTF-16, names included), roughly. */
export function entityBytes(entity: Record<string, unknown>): number {
  let bytes = 4;
  for (const [name, value] of Object.entries(entity)) {
    bytes += 8 + name.length * 2;
    if (typeof value === "string") bytes += 4 + value.length * 2;
    else bytes += 8;
  }
  return bytes;
}

/** Makes a row fit Table Storage: long strings cut with a marker, then the longest cut further while the row is too big. */
export function fitEntity<T extends Record<string, unknown>>(entity: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entity)) out[name] = typeof value === "string" ? truncate(value) : value;
  while (entityBytes(out) > maxEntityBytes) {
    let longest: string | undefined;
    for (const [name, value] of Object.entries(out)) {
      if (name === "partitionKey" || name === "rowKey") continue;
      if (typeof value === "string" && (longest === undefined || value.length > (out[longest] as string).length))
        longest = name;
    }
    const before = longest === undefined ? 0 : (out[longest] as string).length;
    if (!longest || before < 200) break;
    out[longest] = truncate(out[longest] as string, Math.floor(before / 2));
  }
  return out as T;
}
