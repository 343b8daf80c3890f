/**
 * What the audit keeps of a person: pseudonyms keyed with the secret AUDIT_HASH_KEY, the privacy marker
 * every row carries (under which policy and key it was written), free text scrubbed of the job's own
 * user identifiers and document names, and the rewrite of a row recorded under a laxer policy (or an
 * older key, or of an erased person) into what the current policy stores.
 */
import { createHmac } from "node:crypto";
import { type RedactUsers } from "../../settings/privacy";

/** The pseudonym key and a public identifier of it (a keyed hash of a constant: names the key, never reveals it). */
export interface PseudonymKey {
  key: Buffer;
  id: string;
}

export function pseudonymKey(key: Buffer): PseudonymKey {
  return {
    key,
    id: createHmac("sha256", key).update("universal-print-jobs/pseudonym-key-id").digest("hex").slice(0, 16),
  };
}

/** The pseudonym of a user id or UPN: HMAC-SHA-256 (hex) of the lower-cased value. */
export function pseudonym(value: string, key: PseudonymKey): string {
  return createHmac("sha256", key.key).update(value.toLowerCase()).digest("hex");
}

/** A pseudonym made under an older key, re-keyed: it still groups one person's rows but no longer matches anyone's id. */
export function rekeyed(oldPseudonym: string, key: PseudonymKey): string {
  return createHmac("sha256", key.key).update(`rekeyed:${oldPseudonym}`).digest("hex");
}

export const erasedText = "erased";
export const omittedText = "omitted";

/** Marker columns: how a row's user and document fields were written. */
export const userMarkerColumn = "PrivacyUsers";
export const documentMarkerColumn = "PrivacyDocuments";

/** none, hash:<key id>, hash:legacy (the old public salt), omit, erased. */
export type UserMarker = string;
export type DocumentMarker = "keep" | "omit" | "erased";

export interface PrivacyPolicy {
  redactUsers: RedactUsers;
  omitDocumentNames: boolean;
  key?: PseudonymKey;
  /** The sticky erasure list: whether a job's user was erased (then the job is stored erased). */
  isErased?: (identity: JobIdentity) => boolean;
}

export function userMarkerOf(policy: PrivacyPolicy): UserMarker {
  if (policy.redactUsers === "hash") return `hash:${policy.key?.id ?? "missing"}`;
  return policy.redactUsers;
}

export function documentMarkerOf(policy: PrivacyPolicy): DocumentMarker {
  return policy.omitDocumentNames ? "omit" : "keep";
}

/** The marker columns a row written now carries (erased: the sticky erasure list matched the job's user). */
export function markerColumns(policy: PrivacyPolicy, erased = false): Record<string, string> {
  return erased
    ? { [userMarkerColumn]: erasedText, [documentMarkerColumn]: erasedText }
    : { [userMarkerColumn]: userMarkerOf(policy), [documentMarkerColumn]: documentMarkerOf(policy) };
}

const hex64 = /^[0-9a-f]{64}$/;

/** A row's markers; a row from before markers existed is read from its content (64-hex user columns: the old salted hash). */
export function rowMarkers(row: Record<string, unknown>): { users: UserMarker; documents: DocumentMarker } {
  const users = row[userMarkerColumn];
  const documents = row[documentMarkerColumn];
  const legacyHashed =
    row.CreatedByName === undefined &&
    [row.CreatedBy, row.CreatedById].some((v) => typeof v === "string" && hex64.test(v)) &&
    [row.CreatedBy, row.CreatedById].every((v) => v === undefined || (typeof v === "string" && hex64.test(v)));
  return {
    users: typeof users === "string" ? users : legacyHashed ? "hash:legacy" : "none",
    documents: documents === "omit" || documents === "erased" ? documents : "keep",
  };
}

const userRank = (marker: UserMarker): number =>
  marker === erasedText ? 3 : marker === "omit" ? 2 : marker.startsWith("hash:") ? 1 : 0;
const documentRank = (marker: DocumentMarker): number => (marker === "erased" ? 2 : marker === "omit" ? 1 : 0);

/** The markers a row must end with: never laxer than it is, the current key for pseudonyms, erased for an erased person. */
export function targetMarkers(
  current: { users: UserMarker; documents: DocumentMarker },
  policy: PrivacyPolicy,
  erased: boolean,
): { users: UserMarker; documents: DocumentMarker } {
  if (erased) return { users: erasedText, documents: "erased" };
  const wantedUsers = userMarkerOf(policy);
  let users = userRank(current.users) >= userRank(wantedUsers) ? current.users : wantedUsers;
  // A pseudonym under another key (or the old public salt) is re-keyed while hashing is on.
  if (users.startsWith("hash:") && policy.redactUsers === "hash" && users !== wantedUsers) users = wantedUsers;
  const wantedDocuments = documentMarkerOf(policy);
  const documents =
    documentRank(current.documents) >= documentRank(wantedDocuments) ? current.documents : wantedDocuments;
  return { users, documents };
}

/** What is known of the person and documents of one job, gathered from its rows still in clear. */
export interface JobIdentity {
  ids: Set<string>;
  upns: Set<string>;
  names: Set<string>;
  documents: Set<string>;
  /** Pseudonyms stored under an older key, by the text that replaces them. */
  oldPseudonyms: Set<string>;
}

export function emptyIdentity(): JobIdentity {
  return { ids: new Set(), upns: new Set(), names: new Set(), documents: new Set(), oldPseudonyms: new Set() };
}

/** Adds what one stored row reveals of its job's user and documents. */
export function gatherIdentity(identity: JobIdentity, row: Record<string, unknown>): void {
  const markers = rowMarkers(row);
  const str = (v: unknown): string | undefined =>
    typeof v === "string" && v !== "" && v !== erasedText ? v : undefined;
  if (markers.users === "none") {
    const id = str(row.CreatedById);
    const upn = str(row.CreatedBy);
    const name = str(row.CreatedByName);
    if (id) identity.ids.add(id);
    if (upn) identity.upns.add(upn);
    if (name) identity.names.add(name);
  } else if (markers.users.startsWith("hash:")) {
    for (const v of [row.CreatedById, row.CreatedBy]) if (str(v)) identity.oldPseudonyms.add(v as string);
  }
  if (markers.documents === "keep") {
    const names = str(row.DocumentNames);
    if (names) {
      identity.documents.add(names);
      for (const part of names.split("; ")) if (part.trim()) identity.documents.add(part);
    }
  }
}

/** The identity of a job as Graph sent it (the recorder's side). */
export function identityOf(
  createdBy: { id?: string; upn?: string; name?: string },
  documentNames: readonly string[],
): JobIdentity {
  const identity = emptyIdentity();
  if (createdBy.id) identity.ids.add(createdBy.id);
  if (createdBy.upn) identity.upns.add(createdBy.upn);
  if (createdBy.name) identity.names.add(createdBy.name);
  for (const name of documentNames) identity.documents.add(name);
  if (documentNames.length > 1) identity.documents.add(documentNames.join("; "));
  return identity;
}

/** The pseudonyms an erasure list would hold for this person (id and UPN, and pseudonyms already stored under this key). */
export function subjectPseudonyms(
  identity: JobIdentity,
  key: PseudonymKey,
  storedUnderKey: readonly unknown[] = [],
): string[] {
  const out = new Set<string>();
  for (const v of [...identity.ids, ...identity.upns]) out.add(pseudonym(v, key));
  for (const v of storedUnderKey) if (typeof v === "string" && hex64.test(v)) out.add(v);
  return [...out];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Replaces every mention (case-insensitive, longest first, not inside a longer word) of the given terms; a
 * term replaced by null is kept as written (a document name kept in clear shields the name inside it).
 */
export function scrubber(replacements: ReadonlyMap<string, string | null>): (text: string) => string {
  const terms = [...replacements.keys()].filter((t) => t.trim().length >= 2).sort((a, b) => b.length - a.length);
  if (terms.length === 0 || [...replacements.values()].every((v) => v === null)) return (text) => text;
  const lower = new Map([...replacements].map(([term, by]) => [term.toLowerCase(), by]));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.map(escapeRegExp).join("|")})(?![\\p{L}\\p{N}])`, "giu");
  return (text) =>
    text.replace(pattern, (match) => {
      const by = lower.get(match.toLowerCase());
      return by === null ? match : (by ?? omittedText);
    });
}

/** The scrubber of a job's free text for rows written with the given markers. */
export function freeTextScrubber(
  identity: JobIdentity,
  users: UserMarker,
  documents: DocumentMarker,
  key?: PseudonymKey,
): (text: string) => string {
  const replacements = new Map<string, string | null>();
  // Kept document names stay whole in the text, so a later omission or erasure still finds them there.
  for (const d of identity.documents)
    replacements.set(d, documents === "keep" ? null : documents === "erased" ? erasedText : omittedText);
  if (users !== "none") {
    const upn = [...identity.upns][0];
    const id = [...identity.ids][0];
    const person =
      users === erasedText ? erasedText : users === "omit" || !key ? omittedText : pseudonym(upn ?? id ?? "", key);
    const byValue = (value: string): string => (users.startsWith("hash:") && key ? pseudonym(value, key) : person);
    for (const v of identity.ids) replacements.set(v, byValue(v));
    for (const v of identity.upns) {
      replacements.set(v, byValue(v));
      const local = v.split("@")[0];
      if (local && local !== v) replacements.set(local, person);
    }
    for (const v of identity.names) replacements.set(v, person);
    for (const old of identity.oldPseudonyms)
      replacements.set(
        old,
        users === erasedText ? erasedText : users.startsWith("hash:") && key ? rekeyed(old, key) : omittedText,
      );
  }
  return scrubber(replacements);
}

export const freeTextColumns = ["JobStateDescription", "JobStateDetails", "TaskDescription"] as const;

/**
 * One stored row rewritten to the target markers: user columns hashed, re-keyed, dropped or erased, document
 * names dropped or erased, free text scrubbed. Keys, times, states, printer and counts are left as they are.
 */
export function rewriteRow<T extends Record<string, unknown>>(
  row: T,
  identity: JobIdentity,
  target: { users: UserMarker; documents: DocumentMarker },
  key?: PseudonymKey,
): T {
  const current = rowMarkers(row);
  const out: Record<string, unknown> = { ...row };
  if (target.users !== current.users) {
    for (const column of ["CreatedById", "CreatedBy", "CreatedByName"] as const) {
      const value = out[column];
      if (value === undefined || value === null) continue;
      if (target.users === erasedText) out[column] = erasedText;
      else if (target.users === "omit" || column === "CreatedByName" || typeof value !== "string") delete out[column];
      else if (current.users === "none") out[column] = key ? pseudonym(value, key) : erasedText;
      else out[column] = key ? rekeyed(value, key) : erasedText;
    }
  }
  if (target.documents !== current.documents && out.DocumentNames !== undefined) {
    if (target.documents === "erased") out.DocumentNames = erasedText;
    else delete out.DocumentNames;
  }
  const scrub = freeTextScrubber(
    identity,
    target.users === current.users ? "none" : target.users,
    target.documents === current.documents ? "keep" : target.documents,
    key,
  );
  for (const column of freeTextColumns) if (typeof out[column] === "string") out[column] = scrub(out[column] as string);
  out[userMarkerColumn] = target.users;
  out[documentMarkerColumn] = target.documents;
  return out as T;
}

/** Whether a row must be rewritten to meet the target. */
export function needsRewrite(
  row: Record<string, unknown>,
  target: { users: UserMarker; documents: DocumentMarker },
): boolean {
  const m = rowMarkers(row);
  return m.users !== target.users || m.documents !== target.documents;
}
