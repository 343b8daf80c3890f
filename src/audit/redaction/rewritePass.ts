/**
 * The background rewrite: when the privacy policy, the pseudonym key or the erasure list changes, the audit
 * timer walks the job history in key order and rewrites every job recorded under a laxer policy (see
 * jobRewrite.ts). The state row (passState.ts) holds the policy the pass works towards, a cursor saved
 * after each page, and counts; a pass that runs out of time continues on the next run, and a crash repeats at
 * most one page. A pass that rewrote rows is followed by a checking pass; the state is clean when one finds
 * nothing left.
 */
import { type AuditLog } from "../auditLog";
import { eachLimit } from "../concurrency";
import { completeErasures, creditErasures } from "./erasure";
import { erasureListVersion, listErasedSubjects, loadErasureList } from "./erasureList";
import { learnedFrom, rowOfListedPerson } from "./erasureSweep";
import { needsRewrite, rowMarkers, targetMarkers, type PrivacyPolicy } from "../privacy";
import { rewriteJob, scanFrom, unitOf, type JobUnit } from "./jobRewrite";
import { readRedactionState, saveRedactionState, startRedactionPass, targetOf, type RedactionState } from "./passState";
import { type AuditStore, type RowPage, type StoredRow } from "../store";
import { refreshDirtySummaries, refreshSummariesAndDays, type SummaryTarget } from "../summaries";

export interface RedactionResult {
  target: string;
  rowsRewritten: number;
  jobsRewritten: number;
  rowsScanned: number;
  passes: number;
  clean: boolean;
  /** The time budget ran out; the next run continues from the cursor. */
  stopped: boolean;
}

export interface RedactionOptions {
  log: AuditLog;
  timeBudgetInMs?: number;
  pageSize?: number;
  concurrency?: number;
  now?: () => Date;
  onProgress?: (result: RedactionResult) => Promise<void>;
}

/** A fault-injection point for tests (a crash after some jobs were rewritten). Unset in the app. */
export const redactionFaultPoints: { afterJobRewritten?: (jobsRewritten: number) => void | Promise<void> } = {};

/** The columns the pass reads to decide whether a job needs rewriting. */
const scanColumns = [
  "PartitionKey",
  "RowKey",
  "CreatedBy",
  "CreatedById",
  "CreatedByName",
  "DocumentNames",
  "PrivacyUsers",
  "PrivacyDocuments",
];

/** What the steps of one run of the rewrite share. */
interface RedactionRun {
  store: AuditStore;
  policy: PrivacyPolicy;
  options: RedactionOptions;
  /** The erasure list: pseudonym to erasure id, and the version it was read at (read again before each page). */
  subjects: Map<string, string>;
  listVersion: string;
  result: RedactionResult;
  now: () => Date;
  endBy: number;
}

/**
 * Works towards the current policy within a time budget. Cheap when nothing changed: one read of the
 * state row. Rows of a job already rewritten are skipped; a job is rewritten whole.
 */
export async function runRedaction(
  store: AuditStore,
  policy: PrivacyPolicy,
  options: RedactionOptions,
): Promise<RedactionResult> {
  const now = options.now ?? (() => new Date());
  const endBy = Date.now() + (options.timeBudgetInMs ?? 5 * 60_000);
  let state = await readRedactionState(store);
  const target = targetOf(policy, state.ErasureVersion ?? 0);
  const result: RedactionResult = {
    target,
    rowsRewritten: 0,
    jobsRewritten: 0,
    rowsScanned: 0,
    passes: 0,
    clean: false,
    stopped: false,
  };
  // A pass without the key could not read the erasure list: what it found clean is walked again once the key is back.
  const keyBack = state.CleanWithoutKey === true && policy.key !== undefined;
  const changed = state.Target !== target;
  if (!changed && state.Clean && !keyBack) return { ...result, clean: true };
  if (changed || keyBack) {
    state = await startRedactionPass(store, { Target: target, Pass: state.Pass, Clean: false }, now());
    options.log.log(
      !changed
        ? `auditRedaction: the pseudonym key is back; pass ${state.Pass} does the erasure list's work a pass without it could not.`
        : (await anyRowRecorded(store))
          ? `auditRedaction: the privacy policy changed (${target}); pass ${state.Pass} rewrites the rows recorded before.`
          : `auditRedaction: recording under ${target}; nothing was recorded before, so there is nothing to rewrite.`,
    );
  }
  // A rewrite in progress may have stopped between rewriting a page and recomputing its daily summaries.
  await refreshDirtySummaries(store);
  const list = await loadErasureList(store, policy.key);
  return runPasses(
    { store, policy, options, subjects: list.subjects, listVersion: list.version, result, now, endBy },
    state,
  );
}

/** Whether the history holds any row (an empty store, as on a first start, has nothing to rewrite). */
async function anyRowRecorded(store: AuditStore): Promise<boolean> {
  const first = await store.queryPage(store.tables.jobs, undefined, 1);
  // The Table service may answer an empty page with a continuation token: rows may follow, so say they exist.
  return first.rows.length > 0 || first.continuationToken !== undefined;
}

/** At most a few passes a run: one that rewrites, one that finds nothing left (more only if the audit raced it). */
async function runPasses(run: RedactionRun, first: RedactionState): Promise<RedactionResult> {
  const { store, result, options } = run;
  let state = first;
  while (result.passes < 4) {
    result.passes++;
    const listAtStart = await readListAgain(run);
    if (await walkHistory(run, state)) {
      result.stopped = true;
      options.log.log(
        `auditRedaction: pass ${state.Pass} rewrote ${state.PassRowsRewritten} row(s) of ${state.PassJobsRewritten} job(s) so far; the time budget is used up, the next run continues.`,
      );
      return result;
    }
    // Clean only if the erasure list did not change while the pass walked (an erasure that landed meanwhile needs a pass of its own).
    if ((state.PassJobsRewritten ?? 0) === 0 && (await readListAgain(run)) === listAtStart) {
      await saveRedactionState(store, {
        Clean: true,
        CleanDateTime: run.now().toISOString(),
        CleanWithoutKey: run.policy.key === undefined,
      });
      await completeErasures(store, run.now(), run.subjects);
      result.clean = true;
      options.log.log(
        `auditRedaction: pass ${state.Pass} found every row recorded under ${result.target}; nothing left in clear that the policy keeps out.`,
      );
      return result;
    }
    options.log.log(
      `auditRedaction: pass ${state.Pass} rewrote ${state.PassRowsRewritten} row(s) of ${state.PassJobsRewritten} job(s); a checking pass follows.`,
    );
    state = await startRedactionPass(store, state, run.now());
    if (Date.now() > run.endBy) {
      result.stopped = true;
      return result;
    }
  }
  return result;
}

/** One pass over the history from its cursor, page by page; true when the time budget ran out first. */
async function walkHistory(run: RedactionRun, state: RedactionState): Promise<boolean> {
  const [cursorPk, cursorPrefix] = (state.Cursor ?? "").split("\n");
  const filter = scanFrom(cursorPk ? { partitionKey: cursorPk, prefix: cursorPrefix ?? "" } : undefined);
  const query = { filter, select: scanColumns, maxPageSize: run.options.pageSize ?? 1000 };
  for await (const page of run.store.pages(run.store.tables.jobs, query)) {
    await rewritePage(run, state, page);
    if (page.continuationToken && Date.now() > run.endBy) return true;
  }
  return false;
}

/** The list's version now; when it changed since the run read it, the list is read again. */
async function readListAgain(run: RedactionRun): Promise<string> {
  const version = await erasureListVersion(run.store);
  if (version !== run.listVersion) {
    const list = await loadErasureList(run.store, run.policy.key);
    run.subjects = list.subjects;
    run.listVersion = list.version;
  }
  return run.listVersion;
}

/** Rewrites the jobs of one page that need it, then saves the cursor after the page. */
async function rewritePage(run: RedactionRun, state: RedactionState, page: RowPage): Promise<void> {
  await readListAgain(run);
  const { store, policy, subjects, result } = run;
  const { units, last } = jobsToRewrite(run, page.rows);
  const learned = new Map<string, string>();
  // Jobs are independent: a few at a time, so 10,000 rows take well under one timer run.
  // The page's daily summaries are recomputed once its jobs are rewritten, not by each job against the others.
  const summaries = new Map<string, SummaryTarget>();
  const credits = new Map<string, number>();
  await eachLimit(units, run.options.concurrency ?? 8, async (unit) => {
    const rewrite = await rewriteJob(store, unit, policy, subjects, summaries);
    result.rowsRewritten += rewrite.rowsChanged;
    result.jobsRewritten++;
    state.PassRowsRewritten = (state.PassRowsRewritten ?? 0) + rewrite.rowsChanged;
    state.PassJobsRewritten = (state.PassJobsRewritten ?? 0) + 1;
    if (rewrite.erasureId) {
      credits.set(rewrite.erasureId, (credits.get(rewrite.erasureId) ?? 0) + rewrite.rowsChanged);
      for (const p of learnedFrom(rewrite, policy.key!)) if (!subjects.has(p)) learned.set(p, rewrite.erasureId);
    }
    await redactionFaultPoints.afterJobRewritten?.(result.jobsRewritten);
  });
  await refreshSummariesAndDays(store, summaries.values());
  await creditErasures(store, credits);
  // An erased person's other identifiers seen in their rows go on the list (its new version makes another pass).
  for (const [subject, erasureId] of learned) await listErasedSubjects(store, policy.key!, [subject], erasureId);
  // The cursor is the last job of the page: a job cut by the page boundary is finished by the next page (its rows are skipped once rewritten).
  if (last && page.continuationToken) state.Cursor = `${last.printerId}\n${last.prefix}`;
  await saveRedactionState(store, {
    Cursor: state.Cursor,
    PassRowsRewritten: state.PassRowsRewritten,
    PassJobsRewritten: state.PassJobsRewritten,
  });
  await run.options.onProgress?.(result);
}

/** The jobs of a page with a row that needs rewriting (each once), and the page's last job. */
function jobsToRewrite(run: RedactionRun, page: StoredRow[]): { units: JobUnit[]; last?: JobUnit } {
  const units = new Map<string, JobUnit>();
  let last: JobUnit | undefined;
  for (const row of page) {
    run.result.rowsScanned++;
    const unit = unitOf(row);
    if (!unit) continue;
    last = unit;
    const id = `${unit.printerId}\n${unit.prefix}`;
    if (!units.has(id) && rowNeedsWork(row, run.policy, run.subjects)) units.set(id, unit);
  }
  return { units: [...units.values()], ...(last ? { last } : {}) };
}

/** Whether one stored history row needs its job rewritten. */
function rowNeedsWork(row: StoredRow, policy: PrivacyPolicy, subjects: ReadonlyMap<string, string>): boolean {
  const erased = policy.key !== undefined && rowOfListedPerson(row, policy.key, subjects);
  return needsRewrite(row, targetMarkers(rowMarkers(row), policy, erased));
}
