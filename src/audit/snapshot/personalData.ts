/**
 * The personal data of a job as the privacy settings let the audit record it: the user columns as Graph
 * sends them, as pseudonyms (HMAC-SHA256 hex of the lower-cased value keyed with AUDIT_HASH_KEY) or left out;
 * `erased` for a person on the erasure list; document names kept or left out; free text scrubbed to match;
 * and the marker columns that say under which policy the row was written.
 */
import {
  documentMarkerOf,
  erasedText,
  freeTextScrubber,
  identityOf,
  markerColumns,
  pseudonym,
  userMarkerOf,
  type JobIdentity,
  type PrivacyPolicy,
} from "../privacy";
import { asString, type MalformedData } from "./graphValues";
import { type JobRow } from "./columns";
import { PseudonymKeyMissingError } from "../../errors";

/** The privacy settings with the pseudonym key resolved (see privacy/pseudonymKey.ts). */
export type PrivacySettings = PrivacyPolicy;

export interface CreatedBy {
  id?: string;
  upn?: string;
  name?: string;
}

/** What one observation records of its person and documents. */
export interface PersonalData {
  /** The job's own user identifiers and document names as Graph sent them (never stored). */
  identity: JobIdentity;
  /** The user columns: CreatedById, CreatedBy, CreatedByName as far as the settings keep them. */
  userColumns: JobRow;
  documentNames?: string;
  /** Free text (descriptions) scrubbed as the settings ask. */
  scrub: (text: string) => string;
  /** The privacy marker columns of every row written from the observation. */
  markers: Record<string, string>;
}

export function createdByOf(createdBy: Record<string, unknown> | undefined, malformed: MalformedData): CreatedBy {
  if (!createdBy) return {};
  return {
    id: asString(createdBy.id, "createdBy.id", malformed) || undefined,
    upn: asString(createdBy.userPrincipalName, "createdBy.userPrincipalName", malformed) || undefined,
    name: asString(createdBy.displayName, "createdBy.displayName", malformed) || undefined,
  };
}

/** The personal data of one job under the settings (and the erasure list they carry). */
export function personalDataOf(
  createdBy: CreatedBy,
  documentNames: readonly string[],
  privacy: PrivacySettings,
): PersonalData {
  const identity = identityOf(createdBy, documentNames);
  const erased = privacy.isErased?.(identity) === true;
  const scrubUsers = erased ? erasedText : privacy.redactUsers === "none" ? "none" : userMarkerOf(privacy);
  const scrubDocuments = erased ? "erased" : documentMarkerOf(privacy);
  const scrub =
    scrubUsers === "none" && scrubDocuments === "keep"
      ? (text: string) => text
      : freeTextScrubber(identity, scrubUsers, scrubDocuments, privacy.key);
  const userColumns = erased
    ? Object.fromEntries(
        Object.keys(columnsOfUser(createdBy, { redactUsers: "none", omitDocumentNames: false })).map((c) => [
          c,
          erasedText,
        ]),
      )
    : columnsOfUser(createdBy, privacy);
  const keepNames = !privacy.omitDocumentNames && documentNames.length > 0;
  return {
    identity,
    userColumns,
    ...(keepNames ? { documentNames: erased ? erasedText : documentNames.join("; ") } : {}),
    scrub,
    markers: markerColumns(privacy, erased),
  };
}

function columnsOfUser({ id, upn, name }: CreatedBy, privacy: PrivacySettings): JobRow {
  if (privacy.redactUsers === "omit") return {};
  if (privacy.redactUsers === "hash") {
    return {
      ...(id ? { CreatedById: hashUser(id, privacy) } : {}),
      ...(upn ? { CreatedBy: hashUser(upn, privacy) } : {}),
    };
  }
  return {
    ...(id ? { CreatedById: id } : {}),
    ...(upn ? { CreatedBy: upn } : {}),
    ...(name ? { CreatedByName: name } : {}),
  };
}

function hashUser(value: string, privacy: PrivacySettings): string {
  if (!privacy.key) throw new PseudonymKeyMissingError();
  return pseudonym(value, privacy.key);
}
