/**
 * The background rewrite: when the privacy policy, the pseudonym key or the erasure list changes, the audit
 * timer walks the job history in key order and rewrites every job recorded under a laxer policy (see
 * redaction.ts). The state row (privacy table, PK "state", RK "redaction") holds the policy the pass works
 * towards (a fingerprint naming the key by its id, never the key), a cursor saved after each page, and
 * counts; a pass that runs out of time continues on the next run, and a crash repeats at most one page.
 * A pass that rewrote rows is followed by a checking pass; the state is clean when one finds nothing left.
 */
import { odata } from "@azure/data-tables";
import { loadErasedSubjects } from "./erasureList";
import {
  documentMarkerOf,
  gatherIdentity,
  emptyIdentity,
  needsRewrite,
  pseudonym,
  rowMarkers,
  targetMarkers,
  userMarkerOf,
  type PrivacyPolicy,
} from "./privacy";
import { rewriteJob, scanFrom, unitOf, type JobUnit } from "./redaction";
import { refreshDirtySummaries, refreshSummariesAndDays } from "./summaries";
import { type AuditLog } from "./auditLog";
import { type AuditStore, type StoredRow } from "./store";

export const statePartition = "state";
export const redactionStateKey = "redaction";
export const erasurePartition = "erasure";

export interface RedactionState {
  /** The policy the pass works towards: users=<marker>;documents=<marker>;erasures=<version>. */
  Target?: string;
  /** Bumped by an erasure that did not finish at once: a new pass then completes it. */
  ErasureVersion?: number;
  Pass?: number;
  /** Where a pass resumes: the first job (printerId \n prefix) of its next page; empty at the start of a pass. */
  Cursor?: string;
  PassRowsRewritten?: number;
  PassJobsRewritten?: number;
  PassStartedDateTime?: string;
  Clean?: boolean;
  CleanDateTime?: string;
}

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

/** A fault-injection point for tests (a crash after some jobs were rewritten). Unset in the app. */
export const redactionFaultPoints: { afterJobRewritten?: (jobsRewritten: number) => void | Promise<void> } = {};

export function targetOf(policy: PrivacyPolicy, erasureVersion: number): string {
  return `users=${userMarkerOf(policy)};documents=${documentMarkerOf(policy)};erasures=${erasureVersion}`;
}

export async function readRedactionState(store: AuditStore): Promise<RedactionState> {
  return ((await store.getRow(store.tables.privacy, statePartition, redactionStateKey)) ?? {}) as RedactionState;
}

async function saveState(store: AuditStore, state: RedactionState): Promise<void> {
  await store.mergeRow(store.tables.privacy, { partitionKey: statePartition, rowKey: redactionStateKey, ...state });
}

/** Makes the next timer run walk the whole history again (an erasure that could not finish at once). */
export async function requestRedactionPass(store: AuditStore): Promise<void> {
  const state = await readRedactionState(store);
  await saveState(store, { ErasureVersion: (state.ErasureVersion ?? 0) + 1, Clean: false });
}

/** Whether one stored history row needs its job rewritten. */
function rowNeedsWork(row: StoredRow, policy: PrivacyPolicy, subjects: ReadonlyMap<string, string>): boolean {
  const markers = rowMarkers(row);
  let erased = false;
  if (subjects.size > 0 && policy.key && markers.users !== "erased") {
    const identity = emptyIdentity();
    gatherIdentity(identity, row);
    const values = [...identity.ids, ...identity.upns].map((v) => pseudonym(v, policy.key!));
    if (markers.users === `hash:${policy.key.id}`)
      values.push(String(row.CreatedBy ?? ""), String(row.CreatedById ?? ""));
    erased = values.some((v) => subjects.has(v));
  }
  return needsRewrite(row, targetMarkers(markers, policy, erased));
}

/** Credits rows changed to the erasures they completed. */
async function creditErasures(store: AuditStore, credits: Map<string, number>): Promise<void> {
  for (const [erasureId, rows] of credits) {
    const record = await store.getRow(store.tables.privacy, erasurePartition, erasureId);
    if (!record) continue;
    await store.mergeRow(store.tables.privacy, {
      partitionKey: erasurePartition,
      rowKey: erasureId,
      RowsChanged: Number(record.RowsChanged ?? 0) + rows,
    });
  }
}

/** Marks erasures still running as completed once a pass over the whole history found nothing left. */
async function completeErasures(store: AuditStore, now: Date): Promise<void> {
  const client = await store.table(store.tables.privacy);
  const filter = odata`PartitionKey eq ${erasurePartition} and Status eq ${"running"}`;
  for await (const record of client.listEntities({ queryOptions: { filter, select: ["RowKey"] } })) {
    await store.mergeRow(store.tables.privacy, {
      partitionKey: erasurePartition,
      rowKey: String(record.rowKey),
      Status: "completed",
      CompletedDateTime: now.toISOString(),
    });
  }
}

/**
 * Works towards the current policy within a time budget. Cheap when nothing changed: one read of the
 * state row. Rows of a job already rewritten are skipped; a job is rewritten whole.
 */
export async function runRedaction(
  store: AuditStore,
  policy: PrivacyPolicy,
  options: {
    log: AuditLog;
    timeBudgetInMs?: number;
    pageSize?: number;
    concurrency?: number;
    now?: () => Date;
    onProgress?: (result: RedactionResult) => Promise<void>;
  },
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
  if (state.Target === target && state.Clean) return { ...result, clean: true };
  if (state.Target !== target) {
    state = {
      Target: target,
      Pass: (state.Pass ?? 0) + 1,
      Cursor: "",
      PassRowsRewritten: 0,
      PassJobsRewritten: 0,
      PassStartedDateTime: now().toISOString(),
      Clean: false,
    };
    await saveState(store, state);
    options.log.log(
      `auditRedaction: the privacy policy changed (${target}); pass ${state.Pass} rewrites the rows recorded before.`,
    );
  }
  // A rewrite in progress may have stopped between rewriting a page and recomputing its daily summaries.
  await refreshDirtySummaries(store);
  const subjects = policy.key ? await loadErasedSubjects(store, policy.key) : new Map<string, string>();
  const client = await store.table(store.tables.jobs);
  // At most a few passes a run: one that rewrites, one that finds nothing left (more only if the audit raced it).
  while (result.passes < 4) {
    result.passes++;
    const [cursorPk, cursorPrefix] = (state.Cursor ?? "").split("\n");
    const filter = scanFrom(cursorPk ? { partitionKey: cursorPk, prefix: cursorPrefix ?? "" } : undefined);
    const select = [
      "PartitionKey",
      "RowKey",
      "CreatedBy",
      "CreatedById",
      "CreatedByName",
      "DocumentNames",
      "PrivacyUsers",
      "PrivacyDocuments",
    ];
    let stopped = false;
    for await (const page of client
      .listEntities({ queryOptions: { filter, select } })
      .byPage({ maxPageSize: options.pageSize ?? 1000 })) {
      const units = new Map<string, JobUnit>();
      const credits = new Map<string, number>();
      let last: JobUnit | undefined;
      for (const row of page) {
        result.rowsScanned++;
        const unit = unitOf(row);
        if (!unit) continue;
        last = unit;
        const id = `${unit.printerId}\n${unit.prefix}`;
        if (!units.has(id) && rowNeedsWork(row, policy, subjects)) units.set(id, unit);
      }
      // Jobs are independent: a few at a time, so 10,000 rows take well under one timer run.
      // The page's daily summaries are recomputed once its jobs are rewritten, not by each job against the others.
      const summaries = new Map<string, { day: string; printerId: string }>();
      await eachLimit([...units.values()], options.concurrency ?? 8, async (unit) => {
        const rewrite = await rewriteJob(store, unit, policy, subjects, summaries);
        result.rowsRewritten += rewrite.rowsChanged;
        result.jobsRewritten++;
        state.PassRowsRewritten = (state.PassRowsRewritten ?? 0) + rewrite.rowsChanged;
        state.PassJobsRewritten = (state.PassJobsRewritten ?? 0) + 1;
        if (rewrite.erasureId)
          credits.set(rewrite.erasureId, (credits.get(rewrite.erasureId) ?? 0) + rewrite.rowsChanged);
        await redactionFaultPoints.afterJobRewritten?.(result.jobsRewritten);
      });
      await refreshSummariesAndDays(store, summaries.values());
      await creditErasures(store, credits);
      // The cursor is the last job of the page: a job cut by the page boundary is finished by the next page (its rows are skipped once rewritten).
      if (last && page.continuationToken) state.Cursor = `${last.printerId}\n${last.prefix}`;
      await saveState(store, {
        Cursor: state.Cursor,
        PassRowsRewritten: state.PassRowsRewritten,
        PassJobsRewritten: state.PassJobsRewritten,
      });
      await options.onProgress?.(result);
      if (page.continuationToken && Date.now() > endBy) {
        stopped = true;
        break;
      }
    }
    if (stopped) {
      result.stopped = true;
      options.log.log(
        `auditRedaction: pass ${state.Pass} rewrote ${state.PassRowsRewritten} row(s) of ${state.PassJobsRewritten} job(s) so far; the time budget is used up, the next run continues.`,
      );
      return result;
    }
    if ((state.PassJobsRewritten ?? 0) === 0) {
      const cleanAt = now().toISOString();
      await saveState(store, { Clean: true, CleanDateTime: cleanAt });
      await completeErasures(store, now());
      result.clean = true;
      options.log.log(
        `auditRedaction: pass ${state.Pass} found every row recorded under ${target}; nothing left in clear that the policy keeps out.`,
      );
      return result;
    }
    options.log.log(
      `auditRedaction: pass ${state.Pass} rewrote ${state.PassRowsRewritten} row(s) of ${state.PassJobsRewritten} job(s); a checking pass follows.`,
    );
    state = {
      ...state,
      Pass: (state.Pass ?? 0) + 1,
      Cursor: "",
      PassRowsRewritten: 0,
      PassJobsRewritten: 0,
      PassStartedDateTime: now().toISOString(),
    };
    await saveState(store, state);
    if (Date.now() > endBy) {
      result.stopped = true;
      return result;
    }
  }
  return result;
}

/** Runs `work` over items, at most `limit` at once; after a failure no further item starts, and the first failure is thrown. */
async function eachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (!failure && next < items.length) {
        const item = items[next++]!;
        try {
          await work(item);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw failure.error;
}
