/**
 * Run records: one row per run and printer in the Runs table (PK = run id, RK = printer id), written
 * queued by the timer, then running, succeeded, failed or poisoned by the per-printer audit.
 */
import { isGuid } from "../validation";
import { runIdPattern } from "./keys";
import { type AuditStore } from "./store";
import { AuditMessageError } from "../errors";

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "poisoned";

/** The queue message that asks for one printer's audit (JSON text). */
export interface AuditMessage {
  runId: string;
  printerId: string;
}

/** Reads a queue message; the worker hands JSON text over already parsed, so either shape is accepted. */
export function parseAuditMessage(message: unknown): AuditMessage {
  let value = message;
  if (typeof value === "string" || Buffer.isBuffer(value)) {
    try {
      value = JSON.parse(value.toString());
    } catch {
      throw new AuditMessageError("The audit message is not JSON.");
    }
  }
  const { runId, printerId } = (value ?? {}) as { runId?: unknown; printerId?: unknown };
  if (typeof printerId !== "string" || !isGuid(printerId))
    throw new AuditMessageError("The audit message has no printer GUID (printerId).");
  if (typeof runId !== "string" || !runIdPattern.test(runId))
    throw new AuditMessageError("The audit message has no run id (runId).");
  return { runId, printerId: printerId.toLowerCase() };
}

export interface RunRecord {
  RunId: string;
  PrinterId: string;
  Status: RunStatus;
  PastDue?: boolean;
  QueuedDateTime?: string;
  StartedDateTime?: string;
  EndedDateTime?: string;
  DurationMs?: number;
  /** The host's dequeue count of the message on its latest attempt. */
  Attempts?: number;
  JobsSeen?: number;
  JobsFetched?: number;
  ChangesWritten?: number;
  TaskRowsWritten?: number;
  Errors?: number;
  LastError?: string;
  /** Graph refused the run (403): the application roles the app's token lacked, comma-separated; empty if it had them all. */
  MissingGraphRoles?: string;
  PrinterName?: string;
  /** The attempt failed after writing history rows and before the rows derived from them (events): a later run completes them. */
  DerivedPending?: boolean;
  /** When a DerivedPending run stops holding the events feed: the audit's next scheduled run after it (one interval). */
  HoldsFeedUntil?: string;
}

export async function recordRun(
  store: AuditStore,
  record: Partial<RunRecord> & { RunId: string; PrinterId: string },
): Promise<void> {
  const columns = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
  await store.mergeRow(store.tables.runs, { partitionKey: record.RunId, rowKey: record.PrinterId, ...columns });
}

export async function getRun(store: AuditStore, runId: string, printerId: string): Promise<RunRecord | undefined> {
  return (await store.getRow(store.tables.runs, runId, printerId)) as unknown as RunRecord | undefined;
}
