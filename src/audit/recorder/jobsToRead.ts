/** Change detection on one list page: which jobs must be read one by one (with their tasks) and maybe recorded. */
import { type PrintJob } from "../../graph/types";
import { keyPart } from "../keys";
import { isTerminal, jobFingerprint, jobFingerprintVersion, snapshotOf, type JobSnapshot } from "../snapshot";
import { type CurrentTracking } from "../store";
import { type PrinterRun } from "./printerRun";

/** A listed job to read one by one: as the list showed it, and its current-state tracking if it was recorded. */
export interface WantedJob {
  key: string;
  raw: PrintJob;
  snapshot: JobSnapshot;
  known?: CurrentTracking;
}

/** A list page's jobs as listed, by their current-state key (what cannot be parsed is noted as Graph's malformed data). */
export type ListedJobs = Map<string, { raw: PrintJob; snapshot: JobSnapshot }>;

export function listedJobs(jobs: PrintJob[], { privacy, malformed, printerRef }: PrinterRun): ListedJobs {
  const listed: ListedJobs = new Map();
  for (const raw of jobs) {
    if (raw == null || typeof raw !== "object") {
      malformed.note("value[]");
      continue;
    }
    const snapshot = snapshotOf(raw, printerRef, privacy, malformed);
    if (snapshot) listed.set(keyPart(snapshot.jobId), { raw, snapshot });
  }
  return listed;
}

/** The listed jobs that must be read one by one (new, changed, or not yet finished). */
export async function jobsToRead(listed: ListedJobs, { store, printerId }: PrinterRun): Promise<WantedJob[]> {
  if (listed.size === 0) return [];
  const current = await store.currentTracking(printerId, [...listed.keys()]);
  const wanted: WantedJob[] = [];
  for (const [key, { raw, snapshot }] of listed) {
    const known = current.get(key);
    const changed =
      !known || known.jobFingerprint !== jobFingerprint(snapshot.status, jobFingerprintVersion(known.jobFingerprint));
    if (changed || !isTerminal(snapshot.status.state)) wanted.push({ key, raw, snapshot, known });
  }
  return wanted;
}
