/**
 * Erasure on request: every row of one person in every audit table gets `erased` in place of the user
 * id, UPN, display name, document names and their mentions in free text; job facts stay. The person's
 * pseudonyms go on the sticky erasure list first (so a crash, or a job recorded meanwhile, cannot bring
 * them back), then their rows are found by id, UPN or pseudonym and rewritten job by job. An erasure that
 * cannot finish within its time budget is finished by the audit timer's next rewrite pass.
 */
import { randomBytes } from "node:crypto";
import { listErasedSubjects, loadErasedSubjects, subjectOf } from "./erasureList";
import { pseudonym, type PrivacyPolicy, type PseudonymKey } from "../privacy";
import { historyRowsOfUser, rewriteJob, unitOf } from "./jobRewrite";
import { requestRedactionPass } from "./passState";
import { odata, type AuditStore } from "../store";

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

/**
 * Erases one person (by UPN or user id). Returns the record: completed with the rows changed, or running
 * when the deadline came first (the next audit timer run finishes it and adds to its count).
 */
export async function eraseUser(
  store: AuditStore,
  policy: PrivacyPolicy & { key: PseudonymKey },
  identifier: string,
  options: { requestedBy: string; deadline: number; now?: () => Date },
): Promise<ErasureRecord> {
  const now = options.now ?? (() => new Date());
  const key = policy.key;
  const erasureId = newErasureId(now());
  const subject = subjectOf(identifier, key);
  const requested = {
    partitionKey: erasurePartition,
    rowKey: erasureId,
    Status: "running",
    RequestedDateTime: now().toISOString(),
    RequestedBy: options.requestedBy.slice(0, 200),
    Subject: subject,
    KeyId: key.id,
    RowsChanged: 0,
  };
  await store.mergeRow(store.tables.privacy, requested);
  await listErasedSubjects(store, key, [subject], erasureId, now());
  const searchFor = [identifier.trim(), identifier.trim().toLowerCase(), subject];
  const { rowsChanged, finished } = await eraseRowsOf(store, policy, searchFor, { erasureId, ...options, now });
  const completed = finished ? { Status: "completed", CompletedDateTime: now().toISOString() } : {};
  await store.mergeRow(store.tables.privacy, {
    partitionKey: erasurePartition,
    rowKey: erasureId,
    RowsChanged: rowsChanged,
    ...completed,
  });
  // The next timer run checks the whole history against the list (a UPN stored in another letter case is only found there) and adds what it finds.
  await requestRedactionPass(store);
  return (await getErasure(store, erasureId))!;
}

/**
 * Rewrites, job by job, every job whose history rows hold one of the values; the person's other identifiers
 * found on the way are listed and searched too. Stops at the deadline (then `finished` is false).
 */
async function eraseRowsOf(
  store: AuditStore,
  policy: PrivacyPolicy & { key: PseudonymKey },
  values: string[],
  options: { erasureId: string; deadline: number; now: () => Date },
): Promise<{ rowsChanged: number; finished: boolean }> {
  const { key } = policy;
  const subjects = await loadErasedSubjects(store, key);
  const searched = new Set<string>();
  let pending = values;
  let rowsChanged = 0;
  while (pending.length > 0) {
    const searching = pending.filter((v) => !searched.has(v));
    searching.forEach((v) => searched.add(v));
    pending = [];
    const done = new Set<string>();
    for await (const row of historyRowsOfUser(store, searching)) {
      if (Date.now() > options.deadline) return { rowsChanged, finished: false };
      const unit = unitOf(row);
      if (!unit || done.has(`${unit.printerId}\n${unit.prefix}`)) continue;
      done.add(`${unit.printerId}\n${unit.prefix}`);
      const rewrite = await rewriteJob(store, unit, policy, subjects);
      rowsChanged += rewrite.rowsChanged;
      // The person's other identifiers (an id when the UPN was given, and the reverse) are listed and searched too.
      const learned = [...rewrite.identity.ids, ...rewrite.identity.upns];
      const learnedSubjects = learned.map((v) => pseudonym(v, key)).filter((p) => !subjects.has(p));
      if (learnedSubjects.length > 0) {
        await listErasedSubjects(store, key, learnedSubjects, options.erasureId, options.now());
        for (const p of learnedSubjects) subjects.set(p, options.erasureId);
      }
      pending.push(...learned, ...learnedSubjects);
    }
  }
  return { rowsChanged, finished: true };
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

/** Marks erasures still running as completed once a pass over the whole history found nothing left. */
export async function completeErasures(store: AuditStore, now: Date): Promise<void> {
  const filter = odata`PartitionKey eq ${erasurePartition} and Status eq ${"running"}`;
  for await (const record of store.scan(store.tables.privacy, filter, ["RowKey"])) {
    await store.mergeRow(store.tables.privacy, {
      partitionKey: erasurePartition,
      rowKey: String(record.rowKey),
      Status: "completed",
      CompletedDateTime: now.toISOString(),
    });
  }
}
