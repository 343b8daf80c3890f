/** One job's timeline: its current state, its recorded states and its task states, oldest first. */
import { type JobTimeline } from "../../contract/auditAnswers";
import { jobHistoryPrefix, keyPart } from "../keys";
import { taskColumns } from "../snapshot";
import { type AuditStore, type StoredRow } from "../store";
import { publicRow } from "./historyPage";

function bySequence(a: StoredRow, b: StoredRow): number {
  const seq = Number(a.Sequence ?? 0) - Number(b.Sequence ?? 0);
  if (seq !== 0) return seq;
  const observed = String(a.ObservedDateTime ?? "").localeCompare(String(b.ObservedDateTime ?? ""));
  return observed !== 0 ? observed : String(a.TaskId ?? "").localeCompare(String(b.TaskId ?? ""));
}

/** A job's recorded states and task states, oldest first; undefined when the job was never recorded. */
export async function getJobTimeline(
  store: AuditStore,
  printerId: string,
  jobId: string,
): Promise<JobTimeline | undefined> {
  const current = await store.getRow(store.tables.current, printerId, keyPart(jobId));
  if (!current) return undefined;
  const prefix = jobHistoryPrefix(String(current.KeyTime), jobId);
  const [states, tasks] = await Promise.all([
    store.rowsWithPrefix(store.tables.jobs, printerId, prefix),
    store.rowsWithPrefix(store.tables.tasks, printerId, prefix),
  ]);
  return {
    printerId,
    jobId,
    printerName: typeof current.PrinterName === "string" ? current.PrinterName : null,
    current: publicRow(current),
    states: states.sort(bySequence).map((r) => publicRow(r)),
    tasks: tasks.sort(bySequence).map((r) => publicRow(r, taskColumns)),
  };
}
