/**
 * The state of the background rewrite (rewritePass.ts): one row in the privacy table (PK "state", RK
 * "redaction") that holds the policy the pass works towards (a fingerprint naming the key by its id, never
 * the key), a cursor saved after each page, and counts.
 */
import { documentMarkerOf, userMarkerOf, type PrivacyPolicy } from "../privacy";
import { type AuditStore } from "../store";

export const statePartition = "state";
export const redactionStateKey = "redaction";

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
  /** Found clean by a pass without the key: it could not read the erasure list, so the key's return starts a pass. */
  CleanWithoutKey?: boolean;
}

export function targetOf(policy: PrivacyPolicy, erasureVersion: number): string {
  return `users=${userMarkerOf(policy)};documents=${documentMarkerOf(policy)};erasures=${erasureVersion}`;
}

export async function readRedactionState(store: AuditStore): Promise<RedactionState> {
  return ((await store.getRow(store.tables.privacy, statePartition, redactionStateKey)) ?? {}) as RedactionState;
}

/** Merges columns into the state row. */
export async function saveRedactionState(store: AuditStore, state: RedactionState): Promise<void> {
  await store.mergeRow(store.tables.privacy, { partitionKey: statePartition, rowKey: redactionStateKey, ...state });
}

/** Makes the next timer run walk the whole history again (an erasure that could not finish at once). */
export async function requestRedactionPass(store: AuditStore): Promise<void> {
  const state = await readRedactionState(store);
  await saveRedactionState(store, { ErasureVersion: (state.ErasureVersion ?? 0) + 1, Clean: false });
}

/** A new pass from the start of the history (its counts from zero), saved. */
export async function startRedactionPass(
  store: AuditStore,
  state: RedactionState,
  passStarted: Date,
): Promise<RedactionState> {
  const next: RedactionState = {
    ...state,
    Pass: (state.Pass ?? 0) + 1,
    Cursor: "",
    PassRowsRewritten: 0,
    PassJobsRewritten: 0,
    PassStartedDateTime: passStarted.toISOString(),
  };
  await saveRedactionState(store, next);
  return next;
}
