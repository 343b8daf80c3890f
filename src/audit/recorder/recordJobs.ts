/**
 * Recording a batch of jobs: each is read with its tasks ($batch of GET …/jobs/{id}?$expand=tasks, the list
 * cannot expand them), compared with its current state, and what changed is buffered to be written
 * (observationBuffer.ts, historyWrites.ts).
 */
import { maxBatchSize, type BatchResponse } from "../../graph/batch";
import { isAddressable, printJobPath } from "../../graph/paths";
import { type PrintJob } from "../../graph/types";
import { type JobIdentity } from "../privacy";
import { type JobSnapshot, type PrivacySettings } from "../snapshot";
import { type Row } from "../store";
import { mapLimit } from "../concurrency";
import { type Observations } from "./historyWrites";
import { type WantedJob } from "./jobsToRead";
import { type ObservationBuffer } from "./observationBuffer";
import { listedSnapshot, observedChange, parseBatchAnswer, type ObservedChange } from "./observedChange";
import { type PrinterRun, type StepCounts } from "./printerRun";
import { taskRowsOf } from "./taskRows";

/** Reads jobs with their tasks ($batch of 20) and buffers what changed (written when the buffer is full); returns what it did. */
export async function recordJobs(wanted: WantedJob[], run: PrinterRun, buffer: ObservationBuffer): Promise<StepCounts> {
  const answers = await readWithTasks(wanted, run);
  let counts: StepCounts = { jobsFetched: wanted.length };
  // The sticky erasure list, read once per delivery and only when there is something to record.
  const privacy = await run.privacyForWrites();
  const observed = run.now();
  const changes: ObservedChange[] = [];
  // What each written job's user and documents were as Graph sent them: the erasure recheck after the write judges by it.
  const identities = new Map<Row, JobIdentity>();
  wanted.forEach((job, i) => {
    const answer = answers[i];
    const parsed = answer
      ? parseBatchAnswer(job, answer, privacy, run)
      : { snapshot: unaddressable(job, privacy, run) };
    if ("unreadable" in parsed) {
      const { unreadable: lastError, status: lastErrorStatus, code: lastErrorCode } = parsed;
      counts = { ...counts, errors: (counts.errors ?? 0) + 1, lastError, lastErrorStatus, lastErrorCode };
      return;
    }
    const change = parsed.snapshot && observedChange(job.key, parsed.snapshot, job.known, observed, run);
    if (!change || !parsed.snapshot) return;
    changes.push(change);
    identities.set(change.jobRow, parsed.snapshot.identity);
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
  const written = await buffer.add(observations, identities);
  return { ...counts, ...named, ...written };
}

/** A job whose id no URL can hold: recorded as the list showed it (no tasks), and noted as Graph's malformed data. */
function unaddressable(job: WantedJob, privacy: PrivacySettings, run: PrinterRun): JobSnapshot | undefined {
  run.malformed.note("value[].id (not UTF-16 text: the job cannot be read by its id)");
  return listedSnapshot(job, privacy, run);
}

/**
 * GET …/jobs/{id}?$expand=tasks for each job, 20 to a $batch, a few batches at once; answers in the jobs' order,
 * none for a job whose id cannot be addressed.
 */
async function readWithTasks(wanted: WantedJob[], run: PrinterRun): Promise<(BatchResponse<PrintJob> | undefined)[]> {
  const readable = wanted.filter((job) => isAddressable(job.snapshot.jobId));
  const chunks: WantedJob[][] = [];
  for (let i = 0; i < readable.length; i += maxBatchSize) chunks.push(readable.slice(i, i + maxBatchSize));
  const answers = await mapLimit(chunks, run.batchConcurrency ?? 4, (chunk) =>
    run.graph.batch<PrintJob>(
      chunk.map(({ snapshot }, i) => ({
        id: String(i + 1),
        url: `${printJobPath({ printerId: run.printerId, jobId: snapshot.jobId })}?$expand=tasks`,
      })),
    ),
  );
  const flat = answers.flat();
  const byJob = new Map(readable.map((job, i) => [job, flat[i]]));
  return wanted.map((job) => byJob.get(job));
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
