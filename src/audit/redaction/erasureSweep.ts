/**
 * The sweep that makes an erasure true: the whole history (and the current-state rows) is read, every job of a
 * listed person (by any identifier in any letter case, or a pseudonym stored under the key) is rewritten erased,
 * and the identifiers learned on the way (the id when the UPN was given, a renamed UPN, pseudonyms stored
 * under the key) are listed; then again, until a sweep that began after the last change to the list finds
 * nothing. Only then is no row of the person left in clear, so only then is the erasure completed.
 */
import {
  emptyIdentity,
  gatherIdentity,
  pseudonym,
  rowMarkers,
  type PrivacyPolicy,
  type PseudonymKey,
} from "../privacy";
import { type AuditStore, type StoredRow } from "../store";
import { erasureListVersion, listErasedSubjects, listedSubject, loadErasureList } from "./erasureList";
import { rewriteJob, unitOf, type JobRewrite, type JobUnit } from "./jobRewrite";

const scanColumns = ["PartitionKey", "RowKey", "CreatedBy", "CreatedById", "DocumentNames", "PrivacyUsers", "KeyTime"];

/** Whether one stored row (history or current state) names a listed person and is not erased yet. */
export function rowOfListedPerson(row: StoredRow, key: PseudonymKey, subjects: ReadonlyMap<string, string>): boolean {
  if (subjects.size === 0) return false;
  const markers = rowMarkers(row);
  if (markers.users === "erased") return false;
  const identity = emptyIdentity();
  gatherIdentity(identity, row);
  const stored = markers.users === `hash:${key.id}` ? [row.CreatedBy, row.CreatedById] : [];
  return listedSubject(identity, key, subjects, stored) !== undefined;
}

/** The jobs of a listed person not erased yet: from the history, and from current-state rows (written last by the audit). */
async function jobsOfListed(
  store: AuditStore,
  key: PseudonymKey,
  subjects: ReadonlyMap<string, string>,
  deadline: number,
): Promise<{ units: JobUnit[]; complete: boolean }> {
  const units = new Map<string, JobUnit>();
  for (const table of [store.tables.jobs, store.tables.current]) {
    for await (const row of store.scan(table, undefined, scanColumns)) {
      if (Date.now() > deadline) return { units: [...units.values()], complete: false };
      if (!rowOfListedPerson(row, key, subjects)) continue;
      const unit =
        table === store.tables.jobs
          ? unitOf(row)
          : { printerId: String(row.partitionKey), prefix: `${String(row.KeyTime)}|${String(row.rowKey)}|` };
      if (unit) units.set(`${unit.printerId}\n${unit.prefix}`, unit);
    }
  }
  return { units: [...units.values()], complete: true };
}

/** The pseudonyms an erased job's rows taught: its identifiers seen in clear, and pseudonyms stored under the key. */
export function learnedFrom(rewrite: JobRewrite, key: PseudonymKey): string[] {
  if (rewrite.erasureId === undefined) return [];
  return [
    ...[...rewrite.identity.ids, ...rewrite.identity.upns].map((v) => pseudonym(v, key)),
    ...rewrite.storedPseudonyms,
  ];
}

export interface SweepResult {
  rowsChanged: number;
  /** A sweep begun after the list's last change found nothing left; false when the deadline came first. */
  finished: boolean;
}

/** Sweeps until nothing of a listed person is left in clear, or the deadline. Learned identifiers name this erasure. */
export async function sweepErasedPeople(
  store: AuditStore,
  policy: PrivacyPolicy & { key: PseudonymKey },
  erasureId: string,
  deadline: number,
): Promise<SweepResult> {
  const { key } = policy;
  let rowsChanged = 0;
  for (let sweep = 0; sweep < 20; sweep++) {
    const list = await loadErasureList(store, key);
    const { units, complete } = await jobsOfListed(store, key, list.subjects, deadline);
    const learned = new Set<string>();
    for (const unit of units) {
      const rewrite = await rewriteJob(store, unit, policy, list.subjects);
      rowsChanged += rewrite.rowsChanged;
      for (const p of learnedFrom(rewrite, key)) learned.add(p);
    }
    const fresh = [...learned].filter((p) => !list.subjects.has(p));
    await listErasedSubjects(store, key, fresh, erasureId);
    const settled = complete && units.length === 0 && (await erasureListVersion(store)) === list.version;
    if (settled) return { rowsChanged, finished: true };
    if (Date.now() > deadline) return { rowsChanged, finished: false };
  }
  return { rowsChanged, finished: false };
}
