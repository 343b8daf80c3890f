/**
 * What the audit keeps of a person: the privacy policy and the marker every row carries, pseudonyms under
 * the secret key (and where that key comes from), free text scrubbed of a job's own identifiers, and how a
 * person given to a read is found in the stored user columns. The passes that rewrite stored rows when the
 * policy changes, or a person is erased, are in ../redaction.
 */
export {
  documentMarkerOf,
  emptyIdentity,
  erasedText,
  freeTextScrubber,
  gatherIdentity,
  identityOf,
  markerColumns,
  needsRewrite,
  pseudonym,
  pseudonymKey,
  rekeyed,
  rewriteRow,
  rowMarkers,
  subjectPseudonyms,
  targetMarkers,
  userMarkerOf,
  type JobIdentity,
  type PrivacyPolicy,
  type PseudonymKey,
} from "./policy";
export { keyVaultScope, PseudonymKeyProvider } from "./pseudonymKey";
export { userColumnsFilter, userFilter, userFilterValues } from "./userFilter";
