/**
 * Recording a batch of jobs: each is read with its tasks ($batch of GET …/jobs/{id}?$expand=tasks, the list
 * cannot expand them), compared with its current state, and what changed is written (historyWrites.ts).
 */
import { maxBatchSize, type BatchResponse } from "../../graph/batch";
import { printJobPath } from "../../graph/paths";
import { type PrintJob } from "../../graph/types";
import { mapLimit } from "../concurrency";
import { writeObservations, type Observations } from "./historyWrites";
import { type WantedJob } from "./jobsToRead";
import { observedChange, parseBatchAnswer, type ObservedChange } from "./observedChange";
import { type PrinterRun, type StepCounts } from "./printerRun";
import { taskRowsOf } from "./taskRows";

/** Reads jobs with their tasks ($batch of 20) and writes what changed (history first, the current state last); returns what it did. */
export async function recordJobs(wanted: WantedJob[], run: PrinterRun): Promise<StepCounts> {
  const answers = await readWithTasks(wanted, run);
  let counts: StepCounts = { jobsFetched: wanted.length };
  // The sticky erasure list, read once per delivery and only when there is something to record.
  const privacy = await run.privacyForWrites();
  const observed = run.now();
  const changes: ObservedChange[] = [];
  wanted.forEach((job, i) => {
    const answer = parseBatchAnswer(job, answers[i]!, privacy, run);
    if ("unreadable" in answer) {
      counts = { ...counts, errors: (counts.errors ?? 0) + 1, lastError: answer.unreadable };
      return;
    }
    const change = answer.snapshot && observedChange(job.key, answer.snapshot, job.known, observed, run);
    if (change) changes.push(change);
  });
  const observations: Observations = {
    jobRows: changes.map((c) => c.jobRow),
    taskRows: await taskRowsOf(
      changes.flatMap((c) => (c.tasks ? [c.tasks] : [])),
      observed,
      run,
    ),
    currentRows: changes.map((c) => c.current),
  };
  const named = await namePrinter(observations, run);
  const written = await writeObservations(observations, run);
  return { ...counts, ...named, ...written };
}

/** GET …/jobs/{id}?$expand=tasks for each job, 20 to a $batch, a few batches at once; answers in the jobs' order. */
async function readWithTasks(wanted: WantedJob[], run: PrinterRun): Promise<BatchResponse<PrintJob>[]> {
  const chunks: WantedJob[][] = [];
  for (let i = 0; i < wanted.length; i += maxBatchSize) chunks.push(wanted.slice(i, i + maxBatchSize));
  const answers = await mapLimit(chunks, run.batchConcurrency ?? 4, (chunk) =>
    run.graph.batch<PrintJob>(
      chunk.map(({ snapshot }, i) => ({
        id: String(i + 1),
        url: `${printJobPath({ printerId: run.printerId, jobId: snapshot.jobId })}?$expand=tasks`,
      })),
    ),
  );
  return answers.flat();
}

/** The printer's current display name on every job row written (read once per run, only when there is one to write). */
async function namePrinter(
  { jobRows, currentRows }: Observations,
  run: PrinterRun,
): Promise<Pick<StepCounts, "printerName">> {
  if (jobRows.length === 0) return {};
  const name = await run.printerName();
  if (name !== undefined) for (const row of [...jobRows, ...currentRows.map((c) => c.row)]) row.PrinterName = name;
  return { printerName: name };
}
