/**
 * The sticky erasure list: one row per erased identifier in the privacy table (PK "erased", RK its
 * pseudonym under the current key), never the identifier itself. A job of a listed person recorded later
 * is stored erased.
 */
import { pseudonym, subjectPseudonyms, type JobIdentity, type PrivacyPolicy, type PseudonymKey } from "../privacy";
import { odata, type AuditStore } from "../store";

export const erasedPartition = "erased";

/** The pseudonyms on the erasure list under this key, each with the erasure that listed it. */
export async function loadErasedSubjects(store: AuditStore, key: PseudonymKey): Promise<Map<string, string>> {
  const subjects = new Map<string, string>();
  const filter = odata`PartitionKey eq ${erasedPartition} and KeyId eq ${key.id}`;
  for await (const row of store.scan(store.tables.privacy, filter, ["RowKey", "ErasureId"]))
    subjects.set(String(row.rowKey), String(row.ErasureId ?? ""));
  return subjects;
}

/** The listed pseudonym of a job (by any identifier of its user, or a pseudonym already stored under the key), if any. */
export function listedSubject(
  identity: JobIdentity,
  key: PseudonymKey,
  subjects: ReadonlyMap<string, string>,
  storedUnderKey: readonly unknown[] = [],
): string | undefined {
  if (subjects.size === 0) return undefined;
  return subjectPseudonyms(identity, key, storedUnderKey).find((p) => subjects.has(p));
}

/** The privacy settings with the erasure list attached (unchanged when there is no key or nobody was erased). */
export async function withErasureList(store: AuditStore, privacy: PrivacyPolicy): Promise<PrivacyPolicy> {
  if (!privacy.key) return privacy;
  const key = privacy.key;
  const subjects = await loadErasedSubjects(store, key);
  if (subjects.size === 0) return privacy;
  return { ...privacy, isErased: (identity) => listedSubject(identity, key, subjects) !== undefined };
}

/** Puts pseudonyms on the list (idempotent), each naming the erasure that put it there. */
export async function listErasedSubjects(
  store: AuditStore,
  key: PseudonymKey,
  subjects: Iterable<string>,
  erasureId: string,
  now = new Date(),
): Promise<void> {
  for (const subject of new Set(subjects)) {
    await store.mergeRow(store.tables.privacy, {
      partitionKey: erasedPartition,
      rowKey: subject,
      KeyId: key.id,
      ErasureId: erasureId,
      ListedDateTime: now.toISOString(),
    });
  }
}

/** The pseudonym an identifier given to the erasure route is listed under. */
export function subjectOf(identifier: string, key: PseudonymKey): string {
  return pseudonym(identifier.trim(), key);
}
