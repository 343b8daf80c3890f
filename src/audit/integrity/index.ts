/** Tamper evidence of the audit's job facts: digests on write, chained per printer, anchored in immutable blobs; verification. */
export { type EvidenceAnchor } from "./anchor";
export { BlobAnchor, evidenceContainer } from "./blobAnchor";
export { type FactTable } from "./facts";
export { PrinterEvidence, type CommittedRow } from "./printerEvidence";
export { type EvidenceTarget } from "./chain";
export { type FindingKind, type IntegrityFinding } from "./check";
export {
  findingCounts,
  gatherEvidence,
  verifyIntegrity,
  type Evidence,
  type IntegrityReport,
  type VerifyOptions,
} from "./verify";
export { checkIdPattern, checkQueueName, completeCheck, getCheck, startCheck, type IntegrityCheck } from "./checks";
export { maxImmediateRangeDays, parseIntegrityRange, type IntegrityRange } from "./query";
export { evidencePackFiles, type PackFacts } from "./pack";
