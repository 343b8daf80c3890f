/**
 * Audits one printer: lists its jobs page by page (with their documents), compares each with its
 * current-state row, fetches tasks ($batch of GET …/jobs/{id}?$expand=tasks) only for jobs that are new,
 * changed or not yet terminal, and writes what changed: history rows first (jobs, then tasks), the
 * current-state rows last. A crash in between leaves the current state behind, so the next run records
 * the same observation under the same keys: no duplicate, no gap. What changed is gathered across pages
 * and written in full transactions (observationBuffer.ts): memory is bounded by 1,000 jobs' rows (and the
 * fewer than 20 jobs that wait for a full $batch).
 */
import { maxBatchSize } from "../../graph/batch";
import { withheldReason } from "../redaction";
import { refreshSummaries } from "../summaries";
import { completeEarlierAttempt } from "./earlierAttempt";
import { jobsToRead, listedJobs, type WantedJob } from "./jobsToRead";
import { ObservationBuffer } from "./observationBuffer";
import {
  addCounts,
  noCounts,
  startPrinterRun,
  type AuditPrinterOptions,
  type AuditResult,
  type PrinterRun,
} from "./printerRun";
import { recordJobs } from "./recordJobs";
import { GraphError } from "../../graph/graphError";
import { AuditIncompleteError } from "../../errors";

export async function auditPrinterJobs(options: AuditPrinterOptions): Promise<AuditResult> {
  const run = startPrinterRun(options);
  // Links left unanchored and rows left undigested by an attempt that stopped are digested first.
  await run.integrity?.heal();
  if ((options.attempt ?? 1) > 1) await completeEarlierAttempt(run);
  const buffer = new ObservationBuffer(run);
  let counts = await recordEveryPage(run, buffer);
  counts = addCounts(counts, await buffer.flush());
  // The daily summaries this run marked are recomputed once, at the end (a crash leaves them marked: the next run or read recomputes them).
  await refreshSummaries(options.store, run.summaries.values());
  const result = reportRun(run, counts);
  await run.integrity?.close();
  return result;
}

/** Lists the printer's jobs page by page and records those to read, 20 to a $batch; returns what it did. */
async function recordEveryPage(run: PrinterRun, buffer: ObservationBuffer): Promise<AuditResult> {
  const batchConcurrency = run.batchConcurrency ?? 4;
  let counts = noCounts();
  // Jobs to read one by one wait here until there are 20 for a full $batch (at most 19 wait past their page).
  const waiting = new Map<string, WantedJob>();
  const pages = run.graph.listPrinterJobs(run.printerId, { expand: ["documents"] }).byPage();
  // The next page is fetched while the current one is recorded.
  let pending = pages.next();
  for (;;) {
    const page = await pending;
    if (page.done) break;
    pending = pages.next();
    pending.catch(() => undefined);
    const listed = listedJobs(page.value, run);
    // A job listed again while its last observation waits in the buffer: written first, so its current state is read as recorded.
    if (buffer.holdsAny(listed.keys())) counts = addCounts(counts, await buffer.flush());
    const wanted = await jobsToRead(listed, run);
    counts = addCounts(counts, { pages: 1, jobsSeen: listed.size });
    for (const job of wanted) {
      waiting.delete(job.key);
      waiting.set(job.key, job);
    }
    while (waiting.size >= maxBatchSize) {
      const batches = Math.min(Math.floor(waiting.size / maxBatchSize), batchConcurrency);
      counts = addCounts(counts, await recordJobs(take(waiting, batches * maxBatchSize), run, buffer));
    }
  }
  while (waiting.size > 0)
    counts = addCounts(counts, await recordJobs(take(waiting, maxBatchSize * batchConcurrency), run, buffer));
  return counts;
}

/** The first `count` entries of a map, removed from it. */
function take<T>(map: Map<string, T>, count: number): T[] {
  const taken: T[] = [];
  for (const [key, value] of map) {
    if (taken.length >= count) break;
    taken.push(value);
    map.delete(key);
  }
  return taken;
}

/** The run's result; Graph's unexpected shapes are logged, and jobs that could not be read fail the run. */
function reportRun({ malformed, log, printerId, runId, erasures }: PrinterRun, counts: AuditResult): AuditResult {
  const result: AuditResult = { ...counts, malformedFields: malformed.count };
  if (erasures.withheld) {
    result.privacyWithheld = withheldReason;
    log.warn(`AuditPrivacyWithheld run=${runId} printer=${printerId}: ${withheldReason}.`);
  }
  if (malformed.count > 0) {
    log.warn(
      `Graph sent ${malformed.count} field(s) in an unexpected shape for printer ${printerId} in run ${runId}; recorded what could be read (${malformed.summary()}).`,
    );
  }
  if (result.errors > 0) {
    throw new AuditIncompleteError(
      `${result.errors} job(s) of printer ${printerId} could not be read from Graph (${result.lastError}); they are recorded on the next attempt.`,
      { result, cause: lastJobFailure(result) },
    );
  }
  return result;
}

/** The last job Graph would not give, as the GraphError it answered: the cause of the run's AuditIncompleteError. */
function lastJobFailure({ lastError, lastErrorStatus, lastErrorCode }: AuditResult): GraphError | undefined {
  if (lastError === undefined || lastErrorStatus === undefined) return undefined;
  return new GraphError(lastError, {
    kind: "graph",
    statusCode: lastErrorStatus,
    code: lastErrorCode ?? `http${lastErrorStatus}`,
  });
}
