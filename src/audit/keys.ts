/**
 * Table keys of the audit. Every key is deterministic (built from Graph's ids and the job's own
 * times), so replaying a queue message or re-running after a crash writes the same keys, never a duplicate.
 *
 *   Jobs     PK = printerId   RK = <keyTime>|<jobId>|<sequence>|<fingerprint>
 *   Tasks    PK = printerId   RK = <keyTime>|<jobId>|<sequence>|<fingerprint>|<taskId>
 *   Current  PK = printerId   RK = <jobId>
 *   Runs     PK = runId       RK = printerId
 *   Summaries PK = 99999999 - YYYYMMDD   RK = printerId, or ~day   (summaries/days.ts)
 *   JobIndex PK = u|<user> / i|<user id> / c|<bucket> / s|<state>   RK = <keyTime>|<printerId>|<jobId>|<sequence>|<fingerprint>
 *   Events   PK = <yyyyMMddHH observed>   RK = <observed time>|<printerId>|<history RowKey>   (events/)
 *   Integrity PK = printerId   RK = link|<999999999999 - n>, or open|<runId>|<attempt>   (integrity/links.ts)
 *
 * keyTime is 9999999999999 minus the job's CreatedDateTime in epoch milliseconds (13 digits), so a
 * printer's newest jobs come first and a created-time range is a RowKey range, in every partition.
 * sequence counts the job's recorded observations; the fingerprint of the observed state follows it so
 * that two different states recorded under the same sequence (a crash, then a change) both survive.
 */
import { createHash } from "node:crypto";

export const maxTimeMs = 9_999_999_999_999;
const keyTimeDigits = 13;

/** The RowKey prefix of an instant: inverted epoch milliseconds, zero-padded, so newer sorts first. */
export function invertedTime(ms: number): string {
  const clamped = Math.min(Math.max(Math.floor(ms), 0), maxTimeMs);
  return String(maxTimeMs - clamped).padStart(keyTimeDigits, "0");
}

/** The instant of an inverted time key. */
export function timeOfInverted(key: string): number {
  return maxTimeMs - Number(key);
}

const maxKeyPart = 200;

/**
 * One key part from any text: characters Table keys forbid (/ \ # ? and controls), our separator |, %
 * itself and anything non-ASCII are percent-encoded (%XX, or %uXXXX beyond ASCII); an over-long part keeps its start and a hash.
 */
export function keyPart(value: string): string {
  // Code unit by code unit (a lone surrogate too), so distinct ids always give distinct keys.
  const encoded = value.replace(/[^A-Za-z0-9\-_.~@+=:;,!$&'()*]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x80
      ? `%${code.toString(16).toUpperCase().padStart(2, "0")}`
      : `%u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  });
  if (encoded.length <= maxKeyPart) return encoded;
  return `${encoded.slice(0, maxKeyPart - 17)}~${shortHash(value, 16)}`;
}

export function shortHash(value: string, length = 12): string {
  return createHash("sha256").update(value).digest("hex").slice(0, length);
}

/** Characters a PartitionKey or RowKey may not hold. */
export function isValidKey(key: string): boolean {
  // eslint-disable-next-line no-control-regex
  return key.length > 0 && key.length <= 1024 && !/[/\\#?\u0000-\u001f\u007f-\u009f]/.test(key);
}

export function sequenceKey(sequence: number): string {
  return String(sequence).padStart(6, "0");
}

/** The RowKey prefix every history row of one job shares (jobs and tasks tables). */
/** Which history table a row is of: a job's states (Jobs) or its tasks' (Tasks). */
export type HistoryKind = "job" | "task";

export function jobHistoryPrefix(keyTime: string, jobId: string): string {
  return `${keyTime}|${keyPart(jobId)}|`;
}

export function jobHistoryRowKey(keyTime: string, jobId: string, sequence: number, fingerprint: string): string {
  return `${jobHistoryPrefix(keyTime, jobId)}${sequenceKey(sequence)}|${fingerprint}`;
}

export function taskHistoryRowKey(jobRowKey: string, taskId: string): string {
  return `${jobRowKey}|${keyPart(taskId)}`;
}

/** The upper bound of a prefix range: '}' sorts right after '|'. */
export function prefixEnd(prefix: string): string {
  return prefix.endsWith("|") ? `${prefix.slice(0, -1)}}` : `${prefix}\uffff`;
}

export interface AuditTableNames {
  jobs: string;
  tasks: string;
  current: string;
  runs: string;
  /** The events feed (src/audit/events/): one row per job history row, by observation time. */
  events: string;
  /** Redaction state, the sticky erasure list by pseudonym and erasure records (all in redaction/). */
  privacy: string;
  /** Daily summaries per printer and day (summaries/). */
  summaries: string;
  /** The read indexes (indexes/indexRows.ts): by person, by created time across printers, by state. */
  jobIndex: string;
  /** The evidence chain (integrity/): links of digests per printer, and the open markers of runs being written. */
  integrity: string;
}

export function auditTableNames(prefix: string): AuditTableNames {
  return {
    jobs: `${prefix}Jobs`,
    tasks: `${prefix}Tasks`,
    current: `${prefix}Current`,
    runs: `${prefix}Runs`,
    events: `${prefix}Events`,
    privacy: `${prefix}Privacy`,
    summaries: `${prefix}Summaries`,
    jobIndex: `${prefix}JobIndex`,
    integrity: `${prefix}Integrity`,
  };
}

/** A run id that sorts by time: 20261124T055012345Z-1a2b3c. */
export function newRunId(now = new Date(), random = Math.random): string {
  const stamp = now.toISOString().replace(/[-:.]/g, "");
  const suffix = Math.floor(random() * 0xffffff)
    .toString(16)
    .padStart(6, "0");
  return `${stamp}-${suffix}`;
}

export const runIdPattern = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;

/** The smallest run id of runs opened at or after an instant (for purging older runs). */
export function runIdFloor(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, "");
}
