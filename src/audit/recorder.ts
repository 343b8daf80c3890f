/**
 * Audits one printer: lists its jobs page by page (with their documents), compares each with its
 * current-state row, fetches tasks ($batch of GET …/jobs/{id}?$expand=tasks) only for jobs that are new,
 * changed or not yet terminal, and writes what changed: history rows first (jobs, then tasks), the
 * current-state rows last. A crash in between leaves the current state behind, so the next run records
 * the same observation under the same keys: no duplicate, no gap. Memory is bounded by one page (and
 * the fewer than 20 jobs that wait for a full $batch).
 */
import { odata } from "@azure/data-tables";
import { maxBatchSize } from "../graph/batch";
import { type GraphClient } from "../graph/client";
import { printJobPath } from "../graph/paths";
import { type PrintJob } from "../graph/types";
import { derivedRowsByTable } from "./derived";
import { markSummaries, refreshSummaries } from "./summaries";
import { invertedTime, jobHistoryPrefix, jobHistoryRowKey, keyPart, taskHistoryRowKey } from "./keys";
import {
  isTerminal,
  jobFingerprint,
  jobFingerprintVersion,
  MalformedData,
  observationFingerprint,
  snapshotOf,
  tasksFingerprint,
  type JobSnapshot,
  type PrivacySettings,
} from "./snapshot";
import { withErasureList } from "./erasureList";
import { type AuditStore, type CurrentTracking, type Row } from "./store";
import { AuditIncompleteError, GraphError } from "../errors";

export interface AuditLog {
  log(message: string): void;
  warn(message: string): void;
}

export interface AuditPrinterOptions {
  graph: GraphClient;
  store: AuditStore;
  privacy: PrivacySettings;
  runId: string;
  printerId: string;
  log: AuditLog;
  now?: () => Date;
  /** How many $batch requests of one printer run at once. */
  batchConcurrency?: number;
  /** The delivery's attempt (the queue's dequeue count): a retry first completes what an earlier attempt of the run wrote. */
  attempt?: number;
}

export interface AuditResult {
  printerName?: string;
  jobsSeen: number;
  /** Jobs read one by one (in $batch) for their tasks. */
  jobsFetched: number;
  /** Job history rows written (one per new observed state). */
  changesWritten: number;
  taskRowsWritten: number;
  pages: number;
  /** Jobs that could not be read this time; their current state did not move, so the next run records them. */
  errors: number;
  lastError?: string;
  malformedFields: number;
}

/**
 * A fault-injection point for tests (crash between the history writes and the current-state writes).
 * Unset in the app.
 */
export const auditFaultPoints: { beforeCurrentStateWrite?: (printerId: string) => void | Promise<void> } = {};

/** Runs `work` over items with at most `limit` at once, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/** A short, personal-data-free description of a failure, for run records and logs. */
export function describeFailure(error: unknown): string {
  if (error instanceof GraphError) {
    // A 403's advice (which roles the token lacks) is added by auditPrinter, which knows the app's token.
    return `${error.kind} ${error.statusCode ?? "-"} ${error.code}: ${error.message}`.slice(0, 1000);
  }
  const e = error as { name?: string; message?: string; statusCode?: number; code?: string };
  return `${e?.name ?? "Error"}${e?.statusCode ? ` ${e.statusCode}` : ""}${e?.code ? ` ${e.code}` : ""}: ${e?.message ?? String(error)}`.slice(
    0,
    1000,
  );
}

export async function auditPrinterJobs(options: AuditPrinterOptions): Promise<AuditResult> {
  const { graph, runId, printerId, log } = options;
  const now = options.now ?? (() => new Date());
  const malformed = new MalformedData();
  const result: AuditResult = {
    jobsSeen: 0,
    jobsFetched: 0,
    changesWritten: 0,
    taskRowsWritten: 0,
    pages: 0,
    errors: 0,
    malformedFields: 0,
  };

  // The printer's display name (printers get renamed) is read only when there is a row to write: a steady run spends no request on it.
  let nameRead: Promise<string | undefined> | undefined;
  const printerName = (): Promise<string | undefined> =>
    (nameRead ??= graph.getPrinter(printerId, { select: ["id", "displayName"] }).then(({ body }) => {
      result.printerName = typeof body?.displayName === "string" ? body.displayName : undefined;
      return result.printerName;
    }));
  const printerRef = { id: printerId };

  let erasuresRead: Promise<PrivacySettings> | undefined;
  const privacyForWrites = (): Promise<PrivacySettings> =>
    (erasuresRead ??= withErasureList(options.store, options.privacy));
  const ctx: PageContext = {
    ...options,
    now,
    malformed,
    printerRef,
    printerName,
    privacyForWrites,
    result,
    summaries: new Map(),
  };
  const batchConcurrency = options.batchConcurrency ?? 4;
  // Jobs to read one by one wait here until there are 20 for a full $batch (at most 19 wait past their page).
  const waiting = new Map<string, WantedJob>();
  if ((options.attempt ?? 1) > 1) await completeEarlierAttempt(ctx);
  const pages = graph.listPrinterJobs(printerId, { expand: ["documents"] }).byPage();
  // The next page is fetched while the current one is recorded.
  let pending = pages.next();
  for (;;) {
    const page = await pending;
    if (page.done) break;
    pending = pages.next();
    pending.catch(() => undefined);
    result.pages++;
    for (const job of await jobsToRead(page.value, ctx)) {
      waiting.delete(job.key);
      waiting.set(job.key, job);
    }
    while (waiting.size >= maxBatchSize) {
      await recordJobs(
        take(waiting, Math.min(Math.floor(waiting.size / maxBatchSize), batchConcurrency) * maxBatchSize),
        ctx,
      );
    }
  }
  while (waiting.size > 0) await recordJobs(take(waiting, maxBatchSize * batchConcurrency), ctx);

  // The daily summaries this run marked are recomputed once, at the end (a crash leaves them marked: the next run or read recomputes them).
  await refreshSummaries(options.store, ctx.summaries.values());
  result.malformedFields = malformed.count;
  if (malformed.count > 0) {
    log.warn(
      `Graph sent ${malformed.count} field(s) in an unexpected shape for printer ${printerId} in run ${runId}; recorded what could be read (${malformed.summary()}).`,
    );
  }
  if (result.errors > 0) {
    throw new AuditIncompleteError(
      result,
      `${result.errors} job(s) of printer ${printerId} could not be read from Graph (${result.lastError}); they are recorded on the next attempt.`,
    );
  }
  return result;
}

interface PageContext extends AuditPrinterOptions {
  now: () => Date;
  malformed: MalformedData;
  printerRef: { id: string; name?: string };
  printerName: () => Promise<string | undefined>;
  privacyForWrites: () => Promise<PrivacySettings>;
  result: AuditResult;
  /** The daily summaries (day, printer) this run marked. */
  summaries: Map<string, { day: string; printerId: string }>;
}

interface WantedJob {
  key: string;
  raw: PrintJob;
  snapshot: JobSnapshot;
  known?: CurrentTracking;
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

/** The jobs of one list page that must be read one by one: new, changed, or not yet finished. */
async function jobsToRead(jobs: PrintJob[], ctx: PageContext): Promise<WantedJob[]> {
  const { store, privacy, printerId, malformed, printerRef, result } = ctx;
  const listed = new Map<string, { raw: PrintJob; snapshot: JobSnapshot }>();
  for (const raw of jobs) {
    if (raw == null || typeof raw !== "object") {
      malformed.note("value[]");
      continue;
    }
    const snapshot = snapshotOf(raw, printerRef, privacy, malformed);
    if (snapshot) listed.set(keyPart(snapshot.jobId), { raw, snapshot });
  }
  result.jobsSeen += listed.size;
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

/** Reads jobs with their tasks ($batch of 20) and writes what changed: history first, the current state last. */
async function recordJobs(wanted: WantedJob[], ctx: PageContext): Promise<void> {
  const { graph, store, printerId, runId, malformed, printerRef, result } = ctx;
  // Tasks come only from GET …/jobs/{id}?$expand=tasks (the list cannot expand them), 20 to a $batch.
  const chunks: WantedJob[][] = [];
  for (let i = 0; i < wanted.length; i += maxBatchSize) chunks.push(wanted.slice(i, i + maxBatchSize));
  const answers = (
    await mapLimit(chunks, ctx.batchConcurrency ?? 4, (chunk) =>
      graph.batch<PrintJob>(
        chunk.map(({ snapshot }, i) => ({
          id: String(i + 1),
          url: `${printJobPath({ printerId, jobId: snapshot.jobId })}?$expand=tasks`,
        })),
      ),
    )
  ).flat();
  result.jobsFetched += wanted.length;

  // The sticky erasure list, read once per delivery and only when there is something to record.
  const privacy = await ctx.privacyForWrites();
  const observed = ctx.now();
  const observedText = observed.toISOString();
  const jobRows: Row[] = [];
  const currentRows: { row: Row; etag?: string }[] = [];
  const taskWork: {
    jobRowKey: string;
    prefix: string;
    known?: CurrentTracking;
    snapshot: JobSnapshot;
    sequence: number;
  }[] = [];

  wanted.forEach(({ key, raw, snapshot: listedSnapshot, known }, i) => {
    const answer = answers[i]!;
    let snapshot: JobSnapshot | undefined;
    if (answer.status === 200 && answer.body && typeof answer.body === "object") {
      const { "@odata.context": _context, ...detail } = answer.body;
      snapshot = snapshotOf(
        { ...raw, ...detail, documents: raw.documents ?? detail.documents },
        printerRef,
        privacy,
        malformed,
      );
    } else if (answer.status === 404) {
      // Gone between the list and the batch: record what the list showed.
      snapshot = privacy.isErased
        ? (snapshotOf(raw, printerRef, privacy, new MalformedData()) ?? listedSnapshot)
        : listedSnapshot;
    } else {
      result.errors++;
      const code = (answer.body as { error?: { code?: unknown } } | undefined)?.error?.code;
      result.lastError = `GET job ${listedSnapshot.jobId} answered ${answer.status}${typeof code === "string" ? ` ${code}` : ""} in $batch`;
      return;
    }
    if (!snapshot) return;
    const tasksFp = snapshot.tasks
      ? tasksFingerprint(snapshot.tasks)
      : (known?.tasksFingerprint ?? tasksFingerprint([]));
    // Compared in the version the current row was written in (an upgrade is not a change); written in the newest.
    if (
      known &&
      known.fingerprint ===
        observationFingerprint(jobFingerprint(snapshot.status, jobFingerprintVersion(known.jobFingerprint)), tasksFp)
    )
      return;
    const jobFp = jobFingerprint(snapshot.status);
    const fingerprint = observationFingerprint(jobFp, tasksFp);

    const sequence = (known?.sequence ?? 0) + 1;
    const createdMs = snapshot.createdDateTime ? Date.parse(snapshot.createdDateTime) : NaN;
    const keyTime = known?.keyTime || invertedTime(Number.isFinite(createdMs) ? createdMs : observed.getTime());
    const rowKey = jobHistoryRowKey(keyTime, snapshot.jobId, sequence, fingerprint);
    const columns = {
      ...snapshot.row,
      Sequence: sequence,
      ObservedDateTime: observedText,
      RunId: runId,
      ...snapshot.markers,
    };
    jobRows.push({ partitionKey: printerId, rowKey, ...columns });
    currentRows.push({
      row: {
        partitionKey: printerId,
        rowKey: key,
        ...columns,
        Fingerprint: fingerprint,
        JobFingerprint: jobFp,
        TasksFingerprint: tasksFp,
        KeyTime: keyTime,
        Terminal: isTerminal(snapshot.status.state),
        HistoryRowKey: rowKey,
      },
      etag: known?.etag,
    });
    if (snapshot.tasks && snapshot.tasks.length > 0 && (!known || known.tasksFingerprint !== tasksFp)) {
      taskWork.push({
        jobRowKey: rowKey,
        prefix: jobHistoryPrefix(keyTime, snapshot.jobId),
        known,
        snapshot,
        sequence,
      });
    }
  });

  // A task row is written when the task is new or its state differs from its last recorded one.
  const taskRows = (
    await mapLimit(taskWork, 8, async ({ jobRowKey, prefix, known, snapshot, sequence }) => {
      const last = new Map<string, { sequence: number; state: string }>();
      if (known) {
        for (const row of await store.rowsWithPrefix(store.tables.tasks, printerId, prefix, [
          "TaskId",
          "TaskState",
          "Sequence",
        ])) {
          const id = String(row.TaskId);
          const seq = Number(row.Sequence ?? 0);
          if (!last.has(id) || last.get(id)!.sequence <= seq)
            last.set(id, { sequence: seq, state: String(row.TaskState) });
        }
      }
      return snapshot
        .tasks!.filter((t) => last.get(t.id)?.state !== t.state)
        .map((t): Row => ({
          partitionKey: printerId,
          rowKey: taskHistoryRowKey(jobRowKey, t.id),
          PrinterId: printerId,
          JobId: snapshot.jobId,
          TaskId: t.id,
          TaskState: t.state,
          ...(t.description !== undefined ? { TaskDescription: snapshot.scrub(t.description) } : {}),
          Sequence: sequence,
          ObservedDateTime: observedText,
          RunId: runId,
          ...snapshot.markers,
        }));
    })
  ).flat();

  if (jobRows.length > 0) {
    const name = await ctx.printerName();
    if (name !== undefined) for (const row of [...jobRows, ...currentRows.map((c) => c.row)]) row.PrinterName = name;
  }
  try {
    await writeHistoryAndDerived(store, jobRows, taskRows, result);
  } catch (error) {
    if (error !== null && typeof error === "object") derivedPending.add(error);
    throw error;
  }
  await markSummaries(store, jobRows, ctx.summaries);
  if (currentRows.length > 0) await auditFaultPoints.beforeCurrentStateWrite?.(printerId);
  await store.writeCurrent(currentRows);
}

/**
 * An earlier attempt of this run may have written history rows and stopped before their derived rows (indexes,
 * events) or summaries; if the job changed again since, this attempt records a new state and never meets those rows.
 * So a retried delivery first derives the rows of every history row its run wrote (one query per table, in this
 * printer's partition); keys are deterministic and written with "create", so what exists already stays as it is.
 */
async function completeEarlierAttempt(ctx: PageContext): Promise<void> {
  const { store, printerId, runId } = ctx;
  const filter = odata`PartitionKey eq ${printerId} and RunId eq ${runId}`;
  const [jobs, tasks] = await Promise.all([
    store.rowsWhere(store.tables.jobs, filter),
    store.rowsWhere(store.tables.tasks, filter),
  ]);
  if (jobs.length + tasks.length === 0) return;
  const derived = derivedRowsByTable(store.tables, [
    ...jobs.map((row) => ({ row: row as Row, kind: "job" as const })),
    ...tasks.map((row) => ({ row: row as Row, kind: "task" as const })),
  ]);
  for (const [table, rows] of derived) await store.createRows(table, rows);
  await markSummaries(store, jobs as Row[], ctx.summaries);
}

const derivedPending = new WeakSet<object>();

/** Whether a failure came between writing history rows and the rows derived from them (the events feed waits for those). */
export function leftDerivedRowsPending(error: unknown): boolean {
  return error !== null && typeof error === "object" && derivedPending.has(error);
}

async function writeHistoryAndDerived(
  store: AuditStore,
  jobRows: Row[],
  taskRows: Row[],
  result: AuditResult,
): Promise<void> {
  const jobWrite = await store.createRows(store.tables.jobs, jobRows);
  const taskWrite = await store.createRows(store.tables.tasks, taskRows);
  result.changesWritten += jobWrite.rows;
  result.taskRowsWritten += taskWrite.rows;
  // Index and event rows follow the history they derive from and precede the current state, like the history.
  // A history row recorded before (a replay) is derived as stored: its observation time, not this attempt's.
  const [recordedJobs, recordedTasks] = await Promise.all([
    asRecorded(store, store.tables.jobs, jobRows, jobWrite.existing),
    asRecorded(store, store.tables.tasks, taskRows, taskWrite.existing),
  ]);
  const derived = derivedRowsByTable(store.tables, [
    ...recordedJobs.map((row) => ({ row, kind: "job" as const })),
    ...recordedTasks.map((row) => ({ row, kind: "task" as const })),
  ]);
  for (const [table, rows] of derived) await store.createRows(table, rows);
}

/** The history rows as recorded: rows that existed already are read back, so what derives from them matches the stored row. */
async function asRecorded(store: AuditStore, table: string, rows: Row[], existing: Row[] | undefined): Promise<Row[]> {
  if (!existing || existing.length === 0) return rows;
  const stored = new Map<string, Row>();
  await mapLimit(existing, 8, async (row) => {
    const found = await store.getRow(table, row.partitionKey, row.rowKey);
    if (found) stored.set(`${row.partitionKey}\n${row.rowKey}`, found as Row);
  });
  return rows.map((row) => stored.get(`${row.partitionKey}\n${row.rowKey}`) ?? row);
}
