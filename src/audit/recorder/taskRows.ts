/** Task history rows: a task row is written when the task is new or its state differs from its last recorded one. */
import { mapLimit } from "../concurrency";
import { taskHistoryRowKey } from "../keys";
import { type AuditStore, type Row } from "../store";
import { type TaskChange } from "./observedChange";

/** The task rows of some jobs' new observations (each job's recorded task states read first, 8 jobs at once). */
export async function taskRowsOf(
  changes: readonly TaskChange[],
  observed: Date,
  run: { store: AuditStore; printerId: string; runId: string },
): Promise<Row[]> {
  const observedText = observed.toISOString();
  const rows = await mapLimit(changes, 8, async ({ jobRowKey, prefix, known, snapshot, sequence }) => {
    const last = known ? await lastTaskStates(run.store, run.printerId, prefix) : new Map<string, TaskRecord>();
    return snapshot
      .tasks!.filter((t) => last.get(t.id)?.state !== t.state)
      .map((t): Row => ({
        partitionKey: run.printerId,
        rowKey: taskHistoryRowKey(jobRowKey, t.id),
        PrinterId: run.printerId,
        JobId: snapshot.jobId,
        TaskId: t.id,
        TaskState: t.state,
        ...(t.description !== undefined ? { TaskDescription: snapshot.scrub(t.description) } : {}),
        Sequence: sequence,
        ObservedDateTime: observedText,
        RunId: run.runId,
        ...snapshot.markers,
      }));
  });
  return rows.flat();
}

interface TaskRecord {
  sequence: number;
  state: string;
}

/** Each task's state in its latest recorded row of one job. */
async function lastTaskStates(store: AuditStore, printerId: string, prefix: string): Promise<Map<string, TaskRecord>> {
  const last = new Map<string, TaskRecord>();
  for (const row of await store.rowsWithPrefix(store.tables.tasks, printerId, prefix, [
    "TaskId",
    "TaskState",
    "Sequence",
  ])) {
    const id = String(row.TaskId);
    const seq = Number(row.Sequence ?? 0);
    if (!last.has(id) || last.get(id)!.sequence <= seq) last.set(id, { sequence: seq, state: String(row.TaskState) });
  }
  return last;
}
