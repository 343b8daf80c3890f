/**
 * Erasure on request: every row of one person in every audit table gets `erased` in place of the user
 * id, UPN, display name, document names and their mentions in free text; job facts stay. The person's
 * pseudonym goes on the sticky erasure list first (so a crash, or a job recorded meanwhile, cannot bring
 * them back), then sweeps of the history rewrite their jobs and list the identifiers learned on the way
 * (erasureSweep.ts). Requests for one person while an erasure of them runs join it. An erasure that cannot
 * finish within its time budget is finished by the audit timer's next rewrite pass.
 */
import { randomBytes } from "node:crypto";
import { listErasedSubjects, subjectOf } from "./erasureList";
import { sweepErasedPeople } from "./erasureSweep";
import { type PrivacyPolicy, type PseudonymKey } from "../privacy";
import { requestRedactionPass } from "./passState";
import { odata, type AuditStore, type Row } from "../store";

/** The privacy table's partition of erasure records (RK the erasure id). */
export const erasurePartition = "erasure";

export type ErasureStatus = "running" | "completed";

/** The record of one erasure: when, by whom, how many rows; the person only as a keyed hash. */
export interface ErasureRecord {
  erasureId: string;
  status: ErasureStatus;
  requestedDateTime: string;
  requestedBy: string;
  completedDateTime?: string;
  rowsChanged: number;
  /** The erased identifier's pseudonym under the key (never the identifier). */
  subject: string;
  keyId: string;
}

export const erasureIdPattern = /^\d{8}T\d{9}Z-[0-9a-f]{12}$/;

export function newErasureId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, "")}-${randomBytes(6).toString("hex")}`;
}

function toRecord(row: Record<string, unknown>): ErasureRecord {
  return {
    erasureId: String(row.rowKey),
    status: row.Status === "completed" ? "completed" : "running",
    requestedDateTime: String(row.RequestedDateTime ?? ""),
    requestedBy: String(row.RequestedBy ?? ""),
    ...(typeof row.CompletedDateTime === "string" ? { completedDateTime: row.CompletedDateTime } : {}),
    rowsChanged: Number(row.RowsChanged ?? 0),
    subject: String(row.Subject ?? ""),
    keyId: String(row.KeyId ?? ""),
  };
}

export async function getErasure(store: AuditStore, erasureId: string): Promise<ErasureRecord | undefined> {
  const row = await store.getRow(store.tables.privacy, erasurePartition, erasureId);
  return row ? toRecord(row) : undefined;
}

/** The privacy table's partition of the erasure running for each subject (RK the subject's pseudonym). */
export const erasingPartition = "erasing";

/**
 * The erasure of a subject: a new one, or the one already running for the same subject, which this request
 * joins (two requests for one person are one erasure, with one record). Claims are only ever inserted: the
 * claim after a finished erasure E is the row `<subject>|<E>`, so of two requests racing for it one wins.
 */
async function erasureFor(store: AuditStore, subject: string, record: Row): Promise<string> {
  let claimKey = subject;
  for (let generation = 0; generation < 1000; generation++) {
    const claim = { partitionKey: erasingPartition, rowKey: claimKey, ErasureId: record.rowKey };
    if (await store.createRow(store.tables.privacy, claim)) break;
    const heldId = String((await store.getRow(store.tables.privacy, erasingPartition, claimKey))?.ErasureId ?? "");
    const held = await getErasure(store, heldId);
    if (held?.status === "running") return heldId;
    if (!held) {
      // Claimed a moment ago and its record not written yet (or its writer stopped there): it is this erasure too.
      await store.mergeRow(store.tables.privacy, { ...record, rowKey: heldId });
      return heldId;
    }
    claimKey = `${subject}|${heldId}`;
  }
  await store.mergeRow(store.tables.privacy, record);
  return record.rowKey;
}

/**
 * Erases one person (by UPN, object id, or the pseudonym the API shows). Returns the record: completed with the
 * rows changed once a sweep found nothing of the person left in clear, or running when the deadline came first
 * (the next audit timer run finishes it and adds to its count).
 */
export async function eraseUser(
  store: AuditStore,
  policy: PrivacyPolicy & { key: PseudonymKey },
  identifier: string,
  options: { requestedBy: string; deadline: number; now?: () => Date },
): Promise<ErasureRecord> {
  const now = options.now ?? (() => new Date());
  const key = policy.key;
  const subject = subjectOf(identifier, key);
  const erasureId = await erasureFor(store, subject, {
    partitionKey: erasurePartition,
    rowKey: newErasureId(now()),
    Status: "running",
    RequestedDateTime: now().toISOString(),
    RequestedBy: options.requestedBy.slice(0, 200),
    Subject: subject,
    KeyId: key.id,
    RowsChanged: 0,
  });
  await listErasedSubjects(store, key, [subject], erasureId, now());
  // The timer's pass also walks the whole history against the list: it finishes what the deadline cuts short.
  await requestRedactionPass(store);
  const { rowsChanged, finished } = await sweepErasedPeople(store, policy, erasureId, options.deadline);
  await creditErasures(store, new Map([[erasureId, rowsChanged]]));
  if (finished)
    await store.mergeRow(store.tables.privacy, {
      partitionKey: erasurePartition,
      rowKey: erasureId,
      Status: "completed",
      CompletedDateTime: now().toISOString(),
    });
  return (await getErasure(store, erasureId))!;
}

/** Credits rows changed to the erasures they completed. */
export async function creditErasures(store: AuditStore, credits: Map<string, number>): Promise<void> {
  for (const [erasureId, rows] of credits) {
    const record = await store.getRow(store.tables.privacy, erasurePartition, erasureId);
    if (!record) continue;
    await store.mergeRow(store.tables.privacy, {
      partitionKey: erasurePartition,
      rowKey: erasureId,
      RowsChanged: Number(record.RowsChanged ?? 0) + rows,
    });
  }
}

/**
 * Marks erasures still running as completed once a pass over the whole history found nothing left: only those
 * whose subject was on the list the pass used (an erasure listed after the pass read the list is not done by it).
 */
export async function completeErasures(
  store: AuditStore,
  now: Date,
  covered: ReadonlyMap<string, string>,
): Promise<void> {
  const filter = odata`PartitionKey eq ${erasurePartition} and Status eq ${"running"}`;
  for (const record of await store.rowsWhere(store.tables.privacy, filter, ["RowKey", "Subject"])) {
    if (!covered.has(String(record.Subject ?? ""))) continue;
    await store.mergeRow(store.tables.privacy, {
      partitionKey: erasurePartition,
      rowKey: String(record.rowKey),
      Status: "completed",
      CompletedDateTime: now.toISOString(),
    });
  }
}
