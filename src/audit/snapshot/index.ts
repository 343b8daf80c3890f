/** What the audit records of a print job: its columns, the observation parsed from Graph, fingerprints. */
export {
  jobColumns,
  taskColumns,
  type JobColumn,
  type JobRow,
  type RowValue,
  type TaskColumn,
  type TaskRow,
} from "./columns";
export { jobFingerprint, jobFingerprintVersion, observationFingerprint, tasksFingerprint } from "./fingerprints";
export { MalformedData } from "./graphValues";
export { isTerminal, parseJobState, parseTasks, type JobState, type TaskState } from "./jobState";
export { type PrivacySettings } from "./personalData";
export { snapshotOf, type JobSnapshot } from "./snapshotOf";
