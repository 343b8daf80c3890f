/**
 * Fingerprints of what was observed: change detection compares them with the current-state row, and the
 * observation's fingerprint goes into the history keys, so two states recorded under one sequence both survive.
 */
import { createHash } from "node:crypto";
import { type JobState, type TaskState } from "./jobState";

function fingerprintOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** Job fingerprints that also cover isFetchable and the whole configuration carry this prefix. */
const fingerprintV2 = "v2:";

/**
 * Changes when any compared field of the job changes. Version 1 (no prefix; before isFetchable and the
 * configuration were compared) is still computed to compare with current rows written before the upgrade,
 * so an upgrade records no new observation of jobs that did not change.
 */
export function jobFingerprint(state: JobState, version: 1 | 2 = 2): string {
  const s = state;
  const v1 = [
    s.state,
    s.details,
    s.description ?? null,
    s.errorCode ?? null,
    s.isAcquiredByPrinter ?? null,
    s.acknowledgedDateTime ?? null,
    s.redirectedFrom ?? null,
    s.redirectedTo ?? null,
  ];
  if (version === 1) return fingerprintOf(v1);
  return fingerprintV2 + fingerprintOf([...v1, s.isFetchable ?? null, s.configuration ?? null]);
}

/** The version of a recorded job fingerprint: what a new observation must be compared in. */
export function jobFingerprintVersion(recorded: string | undefined): 1 | 2 {
  return recorded && !recorded.startsWith(fingerprintV2) ? 1 : 2;
}

/** Changes when a task appears, disappears or changes state. */
export function tasksFingerprint(tasks: readonly TaskState[]): string {
  return fingerprintOf([...tasks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((t) => [t.id, t.state]));
}

/** The fingerprint of one observation (job fields and task states), 10 hex digits as it goes into keys. */
export function observationFingerprint(jobFp: string, tasksFp: string): string {
  return fingerprintOf([jobFp, tasksFp]).slice(0, 10);
}
