/**
 * A printer's observations gathered across its pages, so each partition is written in few, full transactions
 * (up to 100 rows) instead of a few rows per Graph page. Every write keeps the crash-safe order
 * (writeObservations) under the erasure guard: identifiers learned of erased people are listed before the rows
 * that taught them, and the jobs written are checked again when the erasure list changed meanwhile.
 */
import { type JobIdentity } from "../privacy";
import { type Row } from "../store";
import { writeObservations, type Observations } from "./historyWrites";
import { type PrinterRun, type StepCounts } from "./printerRun";

/** Jobs a run gathers before it writes (about 10 rows a job): full transactions, memory bounded. */
export const maxBufferedJobs = 1000;

export class ObservationBuffer {
  private pending: Observations = { jobRows: [], taskRows: [], currentRows: [] };
  /** What each buffered job row's user and documents were as Graph sent them (the erasure recheck judges by it). */
  private identities = new Map<Row, JobIdentity>();
  /** The current-state keys of the buffered jobs. */
  private jobs = new Set<string>();

  constructor(private readonly run: PrinterRun) {}

  /** Whether one of these jobs (current-state keys) waits in the buffer: its current state must be written before it is read again. */
  holdsAny(keys: Iterable<string>): boolean {
    for (const key of keys) if (this.jobs.has(key)) return true;
    return false;
  }

  /** Adds a batch's observations; writes the buffer first when it holds one of the batch's jobs, and after when it is full. */
  async add(observations: Observations, identities: ReadonlyMap<Row, JobIdentity>): Promise<StepCounts> {
    let written: StepCounts = {};
    if (this.holdsAny(observations.currentRows.map((c) => c.row.rowKey))) written = await this.flush();
    this.pending.jobRows.push(...observations.jobRows);
    this.pending.taskRows.push(...observations.taskRows);
    this.pending.currentRows.push(...observations.currentRows);
    for (const [row, identity] of identities) this.identities.set(row, identity);
    for (const { row } of observations.currentRows) this.jobs.add(row.rowKey);
    if (this.jobs.size >= maxBufferedJobs) written = sumWritten(written, await this.flush());
    return written;
  }

  /** Writes what is buffered: history and derived rows, summaries marked, the current state last; returns the history rows written. */
  async flush(): Promise<StepCounts> {
    const { pending, identities } = this;
    this.pending = { jobRows: [], taskRows: [], currentRows: [] };
    this.identities = new Map();
    this.jobs = new Set();
    // Identifiers learned of erased people are listed even when nothing is written (an unchanged job taught them).
    await this.run.erasures.beforeCommit();
    if (pending.jobRows.length + pending.taskRows.length + pending.currentRows.length === 0) return {};
    const written = await writeObservations(pending, this.run);
    await this.run.erasures.afterCommit(
      [
        ...pending.jobRows.map((row) => ({ row, kind: "job" as const })),
        ...pending.taskRows.map((row) => ({ row, kind: "task" as const })),
      ],
      identities,
    );
    return written;
  }
}

function sumWritten(a: StepCounts, b: StepCounts): StepCounts {
  return {
    changesWritten: (a.changesWritten ?? 0) + (b.changesWritten ?? 0),
    taskRowsWritten: (a.taskRowsWritten ?? 0) + (b.taskRowsWritten ?? 0),
  };
}
