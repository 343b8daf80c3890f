/**
 * Rewrites the rows of one recorded job to what the current privacy policy stores (and to `erased` for a
 * person on the erasure list). Crash-safe by order: the job's current-state row first, then its task rows,
 * its history rows last (each after its derived rows are recomputed). Until the last write, a history row
 * still in clear holds what the scrub needs, and the background pass (which walks the history) finds the
 * job again, so a rerun after a crash finishes it.
 */
import { derivedRows } from "../derived";
import { type HistoryKind } from "../keys";
import { listedSubject } from "./erasureList";
import {
  emptyIdentity,
  gatherIdentity,
  needsRewrite,
  rewriteRow,
  rowMarkers,
  targetMarkers,
  type JobIdentity,
  type PrivacyPolicy,
} from "../privacy";
import { markSummaries, refreshSummariesAndDays, type SummaryTarget } from "../summaries";
import { odata, type AuditStore, type Row, type StoredRow } from "../store";
import { userColumnsFilter } from "../privacy";

/** A recorded job: its printer (partition) and the RowKey prefix its history rows share. */
export interface JobUnit {
  printerId: string;
  /** <keyTime>|<jobId key part>| */
  prefix: string;
}

/** The job a history row belongs to. */
export function unitOf(row: { partitionKey?: string; rowKey?: string }): JobUnit | undefined {
  const parts = String(row.rowKey ?? "").split("|");
  if (parts.length < 3 || !row.partitionKey) return undefined;
  return { printerId: row.partitionKey, prefix: `${parts[0]}|${parts[1]}|` };
}

export interface JobRewrite {
  rowsChanged: number;
  /** The erasure a listed person's job was credited to. */
  erasureId?: string;
  /** Identifiers of the job's user seen in clear (to search their other rows by). */
  identity: JobIdentity;
}

/** A stored row without the service's own properties, ready to be written back. */
function plain(row: StoredRow): Row {
  const { etag: _etag, timestamp: _timestamp, ...rest } = row as StoredRow & { timestamp?: unknown };
  // A single-entity read carries odata.metadata: never write it back as a column.
  for (const name of Object.keys(rest)) if (name.startsWith("odata.")) delete (rest as Record<string, unknown>)[name];
  return rest as Row;
}

/** Replaces a history row's derived rows by those of its rewritten version (new ones first, then the old keys no longer used). */
async function rederive(store: AuditStore, before: Row, after: Row, kind: HistoryKind): Promise<void> {
  const fresh = derivedRows(store.tables, after, kind);
  const keep = new Set(fresh.map((d) => `${d.table}\n${d.row.partitionKey}\n${d.row.rowKey}`));
  for (const d of fresh) await store.putRow(d.table, d.row);
  for (const d of derivedRows(store.tables, before, kind)) {
    // A row already gone (a rerun after a crash) is fine.
    if (!keep.has(`${d.table}\n${d.row.partitionKey}\n${d.row.rowKey}`)) await store.deleteRow(d.table, d.row);
  }
}

/**
 * Rewrites one job's rows (tasks, history, current state) that the policy or the erasure list asks to
 * change. `subjects` is the erasure list (pseudonym to erasure id).
 */
export async function rewriteJob(
  store: AuditStore,
  unit: JobUnit,
  policy: PrivacyPolicy,
  subjects: ReadonlyMap<string, string>,
  /** Collects the daily summaries to recompute, for a caller that rewrites jobs in parallel and recomputes once after; else they are recomputed here. */
  summaries?: Map<string, SummaryTarget>,
): Promise<JobRewrite> {
  const job = await readJob(store, unit);
  const identity = emptyIdentity();
  const stored: unknown[] = [];
  for (const row of [...job.history, ...(job.current ? [job.current] : [])]) {
    gatherIdentity(identity, row);
    if (policy.key && rowMarkers(row).users === `hash:${policy.key.id}`) stored.push(row.CreatedBy, row.CreatedById);
  }
  const subject = policy.key ? listedSubject(identity, policy.key, subjects, stored) : undefined;
  const erased = subject !== undefined;
  const result: JobRewrite = { rowsChanged: 0, identity, ...(erased ? { erasureId: subjects.get(subject) } : {}) };
  const plan = (rows: StoredRow[]): RowRewrite[] =>
    rows.flatMap((row) => {
      const target = targetMarkers(rowMarkers(row), policy, erased);
      if (!needsRewrite(row, target)) return [];
      const before = plain(row);
      return [{ before, after: rewriteRow(before, identity, target, policy.key), etag: String(row.etag) }];
    });

  // The jobs table drives the background pass, so its rows go last: until they are rewritten the job is found
  // again after a crash, and they still hold what the scrub of the other rows needs.
  result.rowsChanged += await rewriteCurrent(store, job.current ? plan([job.current]) : []);
  const tasks = plan(job.tasks);
  await rewriteTasks(store, tasks);
  const jobs = plan(job.history);
  const touched = summaries ?? new Map<string, SummaryTarget>();
  await rewriteHistory(store, jobs, touched);
  if (!summaries) await refreshSummariesAndDays(store, touched.values());
  result.rowsChanged += tasks.length + jobs.length;
  return result;
}

/** One row's rewrite: as stored (without the service's properties), as it becomes, and the etag it was read with. */
interface RowRewrite {
  before: Row;
  after: Row;
  etag: string;
}

/** A job's history rows, task rows and current-state row (only its own: a job id recorded again later has another). */
async function readJob(
  store: AuditStore,
  unit: JobUnit,
): Promise<{ history: StoredRow[]; tasks: StoredRow[]; current?: StoredRow }> {
  const jobKeyPart = unit.prefix.split("|")[1]!;
  const [history, tasks, current] = await Promise.all([
    store.rowsWithPrefix(store.tables.jobs, unit.printerId, unit.prefix),
    store.rowsWithPrefix(store.tables.tasks, unit.printerId, unit.prefix),
    store.getRow(store.tables.current, unit.printerId, jobKeyPart),
  ]);
  const ownCurrent = current && String(current.KeyTime) === unit.prefix.split("|")[0] ? current : undefined;
  return { history, tasks, ...(ownCurrent ? { current: ownCurrent } : {}) };
}

/** Replaces the current-state row unless the audit moved the job meanwhile; returns the rows changed. */
async function rewriteCurrent(store: AuditStore, rewrites: RowRewrite[]): Promise<number> {
  let changed = 0;
  for (const c of rewrites) {
    // Refused when the audit moved the job meanwhile and wrote its new current state under the current policy.
    if (await store.replaceRow(store.tables.current, c.after, c.etag)) changed++;
  }
  return changed;
}

async function rewriteTasks(store: AuditStore, tasks: RowRewrite[]): Promise<void> {
  for (const t of tasks) await rederive(store, t.before, t.after, "task");
  await store.replaceRows(
    store.tables.tasks,
    tasks.map((t) => ({ row: t.after, etag: t.etag })),
  );
}

/**
 * The history rows last. The daily summaries count people as recorded: marked Dirty before the rewrite (a crash
 * leaves them to be recomputed, not trusted) and again after it, as the summaries protocol asks (a refresh that
 * saw the mark has seen the history it covers).
 */
async function rewriteHistory(
  store: AuditStore,
  jobs: RowRewrite[],
  touched: Map<string, SummaryTarget>,
): Promise<void> {
  for (const j of jobs) await rederive(store, j.before, j.after, "job");
  if (jobs.length === 0) return;
  const rewritten = jobs.map((j) => j.after);
  await markSummaries(store, rewritten, touched);
  await store.replaceRows(
    store.tables.jobs,
    jobs.map((j) => ({ row: j.after, etag: j.etag })),
  );
  await markSummaries(store, rewritten);
}

/** The history rows (jobs table) whose user columns hold one of the values: one query per 14 values. */
export async function* historyRowsOfUser(store: AuditStore, values: readonly string[]): AsyncGenerator<StoredRow> {
  const distinct = [...new Set(values)];
  for (let i = 0; i < distinct.length; i += 7) {
    const chunk = distinct.slice(i, i + 7);
    yield* store.scan(store.tables.jobs, userColumnsFilter(chunk), ["PartitionKey", "RowKey"]);
  }
}

/** The jobs table from one job on, in key order: where the background pass resumes. */
export function scanFrom(cursor: { partitionKey: string; prefix: string } | undefined): string | undefined {
  if (!cursor) return undefined;
  return `${odata`PartitionKey gt ${cursor.partitionKey}`} or (${odata`PartitionKey eq ${cursor.partitionKey} and RowKey ge ${cursor.prefix}`})`;
}
