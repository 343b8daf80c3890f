/**
 * The sticky erasure list: one row per erased identifier in the privacy table (PK "erased", RK its
 * pseudonym under the current key), never the identifier itself. A job of a listed person recorded later
 * is stored erased. Every change to the list writes a new version token (PK "state", RK "erasures"), so a
 * writer that read the list before can tell, after it committed its rows, that it must check them again.
 */
import { randomBytes } from "node:crypto";
import { pseudonym, subjectPseudonyms, type JobIdentity, type PseudonymKey } from "../privacy";
import { odata, type AuditStore } from "../store";

export const erasedPartition = "erased";
/** The row of the list's version token (its partition also holds the background rewrite's state). */
export const versionRow = { partitionKey: "state", rowKey: "erasures" };

/** The list as one reader saw it: its version token (read first), the pseudonyms under the key, and whether any entry exists under any key. */
export interface ErasureList {
  version: string;
  subjects: Map<string, string>;
  any: boolean;
}

/** The current version token of the list ("" before any erasure). */
export async function erasureListVersion(store: AuditStore): Promise<string> {
  const row = await store.getRow(store.tables.privacy, versionRow.partitionKey, versionRow.rowKey);
  return typeof row?.Version === "string" ? row.Version : "";
}

/** The list under this key (without a key: only whether anyone was erased), version first so a change after it shows. */
export async function loadErasureList(store: AuditStore, key: PseudonymKey | undefined): Promise<ErasureList> {
  const version = await erasureListVersion(store);
  const subjects = key ? await loadErasedSubjects(store, key) : new Map<string, string>();
  const any =
    subjects.size > 0 ||
    (await store.rowsWhere(store.tables.privacy, odata`PartitionKey eq ${erasedPartition}`, ["RowKey"], 1)).length > 0;
  return { version, subjects, any };
}

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

/** Puts pseudonyms on the list (idempotent), each naming the erasure that put it there, then writes a new version. */
export async function listErasedSubjects(
  store: AuditStore,
  key: PseudonymKey,
  subjects: Iterable<string>,
  erasureId: string,
  now = new Date(),
): Promise<void> {
  const distinct = [...new Set(subjects)];
  if (distinct.length === 0) return;
  for (const subject of distinct) {
    await store.mergeRow(store.tables.privacy, {
      partitionKey: erasedPartition,
      rowKey: subject,
      KeyId: key.id,
      ErasureId: erasureId,
      ListedDateTime: now.toISOString(),
    });
  }
  await store.mergeRow(store.tables.privacy, {
    ...versionRow,
    Version: `${now.toISOString()}-${randomBytes(6).toString("hex")}`,
  });
}

const pseudonymText = /^[0-9a-f]{64}$/i;

/**
 * The pseudonym an identifier given to the erasure route is listed under: a UPN or object id is keyed (in lower
 * case: UPNs and ids are case-insensitive in Entra ID); a pseudonym the API showed (64 hex) is listed as it is.
 */
export function subjectOf(identifier: string, key: PseudonymKey): string {
  const trimmed = identifier.trim();
  return pseudonymText.test(trimmed) ? trimmed.toLowerCase() : pseudonym(trimmed, key);
}
