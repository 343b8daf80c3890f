/**
 * Background checks of long ranges: the request records a check (Integrity table, partition "check") and queues
 * it; the queue's function verifies and stores the report on the record; the caller polls the record.
 */
import { randomBytes } from "node:crypto";
import { type AuditStore } from "../store";
import { type IntegrityReport } from "./verify";

const checkPartition = "check";
const reportChunkChars = 30_000;
/** The queue of background checks: `<AUDIT_QUEUE_NAME>-check`. */
export { integrityCheckQueueName as checkQueueName } from "../../settings/audit";

export const checkIdPattern = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

export interface IntegrityCheck {
  checkId: string;
  status: "running" | "completed";
  from: string;
  to: string;
  requestedDateTime: string;
  report?: IntegrityReport;
}

export async function startCheck(
  store: AuditStore,
  range: { from: string; to: string },
  now = new Date(),
): Promise<string> {
  const checkId = `${now.toISOString().replace(/[-:.]/g, "")}-${randomBytes(4).toString("hex")}`;
  await store.createRows(store.tables.integrity, [
    {
      partitionKey: checkPartition,
      rowKey: checkId,
      Status: "running",
      From: range.from,
      To: range.to,
      RequestedDateTime: now.toISOString(),
    },
  ]);
  return checkId;
}

export async function completeCheck(store: AuditStore, checkId: string, report: IntegrityReport): Promise<void> {
  const text = JSON.stringify(report);
  const columns: Record<string, string> = {};
  for (let i = 0; i * reportChunkChars < text.length; i++)
    columns[`Report${i}`] = text.slice(i * reportChunkChars, (i + 1) * reportChunkChars);
  await store.mergeRow(store.tables.integrity, {
    partitionKey: checkPartition,
    rowKey: checkId,
    Status: "completed",
    ...columns,
  });
}

export async function getCheck(store: AuditStore, checkId: string): Promise<IntegrityCheck | undefined> {
  const row = await store.getRow(store.tables.integrity, checkPartition, checkId);
  if (!row) return undefined;
  let text = "";
  for (let i = 0; typeof row[`Report${i}`] === "string"; i++) text += row[`Report${i}`] as string;
  return {
    checkId,
    status: row.Status === "completed" ? "completed" : "running",
    from: String(row.From),
    to: String(row.To),
    requestedDateTime: String(row.RequestedDateTime),
    ...(text ? { report: JSON.parse(text) as IntegrityReport } : {}),
  };
}
