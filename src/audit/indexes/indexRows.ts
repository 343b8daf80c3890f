/**
 * The read indexes: for each job history row, rows in the JobIndex table that let the read API answer a
 * question from the question's own partitions, each with a RowKey range.
 *
 *   u|<CreatedBy>           one person's jobs, by user principal name (or its pseudonym), all printers
 *   i|<CreatedById>         the same, by user id (or its pseudonym)
 *   c|<bucket>              every job, all printers (a created-time range is a RowKey range)
 *   s|<JobState>            every history row in one state, all printers (one partition: one query)
 *
 * RowKey: <keyTime>|<printerId>|<jobId>|<sequence>|<fingerprint>: newest job first across printers, then
 * printer and job, then each job's states oldest first. bucket (0-7) is a hash of printer and job, so one
 * day's writes to c| spread over eight partitions and every row of one job sits in the same partition. Index rows
 * copy the history row's columns, so a query reads only the rows it returns. Every key is computed from the
 * history row alone (its keys, JobState, CreatedBy, CreatedById), so a replay, a backfill or a redaction
 * recomputes the same keys. Under AUDIT_REDACT_USERS=omit there is no user column, so no person rows.
 */
import { createHash } from "node:crypto";
import { isValidKey, keyPart, type AuditTableNames, type HistoryKind } from "../keys";
import { type Row, type TableRow } from "../store";

export const indexBuckets = 8;
/** The length of the inverted created time that starts every history and index RowKey. */
export const keyTimeLength = 13;

/** The bucket of one job (0-7): the same for every row of the job. */
export function jobBucket(printerId: string, jobKey: string): number {
  return createHash("sha256").update(`${printerId}|${jobKey}`).digest()[0]! % indexBuckets;
}

export const userPartition = (upn: string): string => `u|${keyPart(upn)}`;
export const userIdPartition = (id: string): string => `i|${keyPart(id)}`;
export const createdPartition = (bucket: number): string => `c|${bucket}`;
// One partition per state, not bucketed: a state question is one query, and a first run writes a job's rows into fewer partitions.
export const statePartition = (state: string): string => `s|${keyPart(state)}`;

/** The index RowKey of a job history row: its printer goes after the time, so rows of every printer interleave by time. */
export function indexRowKey(printerId: string, historyRowKey: string): string {
  return `${historyRowKey.slice(0, keyTimeLength)}|${printerId}${historyRowKey.slice(keyTimeLength)}`;
}

/** The index rows of one history row (none for task rows: the read API lists job states). */
export function indexRows(tables: AuditTableNames, historyRow: Row, kind: HistoryKind): TableRow[] {
  if (kind !== "job") return [];
  const {
    partitionKey: printerId,
    rowKey,
    etag: _etag,
    timestamp: _timestamp,
    ...columns
  } = historyRow as Row & { etag?: unknown; timestamp?: unknown };
  const jobKey = rowKey.split("|")[1] ?? "";
  const bucket = jobBucket(printerId, jobKey);
  const indexKey = indexRowKey(printerId, rowKey);
  const partitions = [createdPartition(bucket)];
  if (typeof columns.JobState === "string" && columns.JobState.length > 0)
    partitions.push(statePartition(columns.JobState));
  if (typeof columns.CreatedBy === "string" && columns.CreatedBy.length > 0)
    partitions.push(userPartition(columns.CreatedBy));
  if (typeof columns.CreatedById === "string" && columns.CreatedById.length > 0)
    partitions.push(userIdPartition(columns.CreatedById));
  return partitions
    .filter((pk) => isValidKey(pk) && isValidKey(indexKey))
    .map((partitionKey) => ({ table: tables.jobIndex, row: { ...columns, partitionKey, rowKey: indexKey } }));
}
