/**
 * One observed job against its current state: the job as Graph answered in the $batch, and when its
 * fingerprint differs from the recorded one, the rows of the new observation (history row, current-state row,
 * and the task states to compare).
 */
import { type BatchResponse } from "../../graph/batch";
import { type PrintJob } from "../../graph/types";
import { invertedTime, jobHistoryPrefix, jobHistoryRowKey } from "../keys";
import {
  isTerminal,
  jobFingerprint,
  jobFingerprintVersion,
  MalformedData,
  observationFingerprint,
  snapshotOf,
  tasksFingerprint,
  type JobSnapshot,
  type PrivacySettings,
} from "../snapshot";
import { type CurrentTracking, type Row } from "../store";
import { type WantedJob } from "./jobsToRead";
import { type PrinterRun } from "./printerRun";

/** A new observation of one job, as rows. */
export interface ObservedChange {
  jobRow: Row;
  current: { row: Row; etag?: string };
  /** Set when the job has tasks whose states may differ from the recorded ones. */
  tasks?: TaskChange;
}

/** A job whose task rows are compared with its recorded task states. */
export interface TaskChange {
  jobRowKey: string;
  prefix: string;
  known?: CurrentTracking;
  snapshot: JobSnapshot;
  sequence: number;
}

/** The job as its $batch answer shows it; undefined when it could not be read (counted as an error) or parsed. */
export function answeredSnapshot(
  { raw, snapshot: listed }: WantedJob,
  answer: BatchResponse<PrintJob>,
  privacy: PrivacySettings,
  run: PrinterRun,
): JobSnapshot | undefined {
  const { printerRef, malformed, result } = run;
  if (answer.status === 200 && answer.body && typeof answer.body === "object") {
    const { "@odata.context": _context, ...detail } = answer.body;
    return snapshotOf(
      { ...raw, ...detail, documents: raw.documents ?? detail.documents },
      printerRef,
      privacy,
      malformed,
    );
  }
  // Gone between the list and the batch: record what the list showed.
  if (answer.status === 404) return listedSnapshot({ raw, snapshot: listed }, privacy, run);
  result.errors++;
  const code = (answer.body as { error?: { code?: unknown } } | undefined)?.error?.code;
  result.lastError = `GET job ${listed.jobId} answered ${answer.status}${typeof code === "string" ? ` ${code}` : ""} in $batch`;
  return undefined;
}

/** The job as its list page showed it (made again when the user was erased meanwhile). */
export function listedSnapshot(
  { raw, snapshot: listed }: Pick<WantedJob, "raw" | "snapshot">,
  privacy: PrivacySettings,
  { printerRef }: PrinterRun,
): JobSnapshot {
  return privacy.isErased ? (snapshotOf(raw, printerRef, privacy, new MalformedData()) ?? listed) : listed;
}

/** The rows of a job's new observation; undefined when it is the state already recorded. */
export function observedChange(
  key: string,
  snapshot: JobSnapshot,
  known: CurrentTracking | undefined,
  observed: Date,
  run: PrinterRun,
): ObservedChange | undefined {
  const tasksFp = snapshot.tasks ? tasksFingerprint(snapshot.tasks) : (known?.tasksFingerprint ?? tasksFingerprint([]));
  // Compared in the version the current row was written in (an upgrade is not a change); written in the newest.
  if (
    known &&
    known.fingerprint ===
      observationFingerprint(jobFingerprint(snapshot.status, jobFingerprintVersion(known.jobFingerprint)), tasksFp)
  )
    return undefined;
  const jobFp = jobFingerprint(snapshot.status);
  const fingerprint = observationFingerprint(jobFp, tasksFp);
  const sequence = (known?.sequence ?? 0) + 1;
  const createdMs = snapshot.createdDateTime ? Date.parse(snapshot.createdDateTime) : NaN;
  const keyTime = known?.keyTime || invertedTime(Number.isFinite(createdMs) ? createdMs : observed.getTime());
  const rowKey = jobHistoryRowKey(keyTime, snapshot.jobId, sequence, fingerprint);
  const { printerId, runId } = run;
  const columns = {
    ...snapshot.row,
    Sequence: sequence,
    ObservedDateTime: observed.toISOString(),
    RunId: runId,
    ...snapshot.markers,
  };
  const tracking = { Fingerprint: fingerprint, JobFingerprint: jobFp, TasksFingerprint: tasksFp, KeyTime: keyTime };
  const terminal = isTerminal(snapshot.status.state);
  const tasksChanged = snapshot.tasks && snapshot.tasks.length > 0 && (!known || known.tasksFingerprint !== tasksFp);
  return {
    jobRow: { partitionKey: printerId, rowKey, ...columns },
    current: {
      row: { partitionKey: printerId, rowKey: key, ...columns, ...tracking, Terminal: terminal, HistoryRowKey: rowKey },
      etag: known?.etag,
    },
    ...(tasksChanged
      ? { tasks: { jobRowKey: rowKey, prefix: jobHistoryPrefix(keyTime, snapshot.jobId), known, snapshot, sequence } }
      : {}),
  };
}
