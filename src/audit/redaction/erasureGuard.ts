/**
 * The erasure list as the audit's writers use it (the recorder; the background pass keeps its own copy):
 * - a job whose user is listed, by any identifier in any letter case or by a pseudonym stored under the key,
 *   is recorded erased, and its other identifiers are listed before its rows are written, so the same
 *   person's renamed or id-only jobs are erased too;
 * - without the key the list cannot be read, so while anyone is on it nothing personal is recorded at all
 *   (user columns and document names left out, free text scrubbed), never a listed person in clear;
 * - after rows are committed the list's version is read again: an erasure that landed meanwhile (after the
 *   writer read the list) gets the jobs just written checked again under the list in force now; so does a
 *   background rewrite towards a stricter policy than the run's (commitCheck.ts).
 */
import { erasedText, pseudonym, type JobIdentity, type PrivacyPolicy, type PseudonymKey } from "../privacy";
import { type AuditStore, type Row } from "../store";
import { readCommitState, stricterPolicy } from "./commitCheck";
import { listErasedSubjects, listedSubject, loadErasureList, type ErasureList } from "./erasureList";
import { dropStaleDerived, rewriteJob, unitOf, type JobUnit } from "./jobRewrite";
import { learnedFrom } from "./erasureSweep";
import { type HistoryKind } from "../keys";
import { requestRedactionPass } from "./passState";

/** Why nothing personal is recorded (the run row and the warning say so), or undefined when the policy applies as set. */
export const withheldReason =
  "AUDIT_HASH_KEY is not available while the erasure list holds people: user columns and document names are left out of every row recorded until the key is back";

export class ErasureGuard {
  private list?: Promise<ErasureList>;
  private learned = new Map<string, string>();
  /** Set when the run records nothing personal because the key is missing (see withheldReason). */
  withheld = false;

  constructor(
    private readonly store: AuditStore,
    private readonly base: PrivacyPolicy,
  ) {}

  /** The policy the next rows are written under: the list attached, or nothing personal when the key is missing. */
  async policy(): Promise<PrivacyPolicy> {
    const list = await (this.list ??= loadErasureList(this.store, this.base.key));
    const key = this.base.key;
    if (!key) {
      this.withheld = list.any;
      return list.any ? { ...this.base, redactUsers: "omit", omitDocumentNames: true } : this.base;
    }
    if (list.subjects.size === 0) return this.base;
    return { ...this.base, isErased: (identity) => this.matches(identity, key, list) };
  }

  /** Whether a job's user is listed; their identifiers not listed yet are learned (listed before the rows are written). */
  private matches(identity: JobIdentity, key: PseudonymKey, list: ErasureList): boolean {
    const subject = listedSubject(identity, key, list.subjects);
    if (subject === undefined) return false;
    const erasureId = list.subjects.get(subject) ?? "";
    for (const value of [...identity.ids, ...identity.upns]) {
      if (value === erasedText) continue;
      const p = pseudonym(value, key);
      if (!list.subjects.has(p)) {
        list.subjects.set(p, erasureId);
        this.learned.set(p, erasureId);
      }
    }
    return true;
  }

  /** Lists what was learned of erased people, before the rows that taught it are written. */
  async beforeCommit(): Promise<void> {
    const key = this.base.key;
    if (!key || this.learned.size === 0) return;
    const learned = [...this.learned];
    this.learned = new Map();
    for (const [subject, erasureId] of learned) await listErasedSubjects(this.store, key, [subject], erasureId);
    // Rows recorded earlier under an identifier only now known to be the person's are erased by the timer's pass.
    await requestRedactionPass(this.store);
  }

  /**
   * After rows were committed: when the list changed since it was read, or the background rewrite works towards a
   * stricter policy than the rows were written under (it may have rewritten them before their task, index and
   * current-state rows were written), the jobs written are checked again under the list and policy in force now,
   * and index rows derived from what was written but no longer stored are dropped.
   */
  async afterCommit(
    written: readonly { row: Row; kind: HistoryKind }[],
    identities: ReadonlyMap<Row, JobIdentity> = new Map(),
  ): Promise<void> {
    if (!this.list || written.length === 0) return;
    const read = await this.list;
    const state = await readCommitState(this.store);
    const listChanged = state.listVersion !== read.version;
    if (!listChanged && !stricterPolicy(await this.policy(), state.passTarget)) return;
    if (listChanged) this.list = loadErasureList(this.store, this.base.key);
    const inForce = await this.policy();
    await this.recheck(written, identities, stricterPolicy(inForce, state.passTarget) ?? inForce);
  }

  /** The jobs written, rewritten under the policy and list in force; what they teach of erased people is listed. */
  private async recheck(
    written: readonly { row: Row; kind: HistoryKind }[],
    identities: ReadonlyMap<Row, JobIdentity>,
    policy: PrivacyPolicy,
  ): Promise<void> {
    const subjects = (await this.list!).subjects;
    const units = new Map<string, { unit: JobUnit; known?: JobIdentity }>();
    for (const { row } of written) {
      const unit = unitOf(row);
      if (!unit) continue;
      const id = `${unit.printerId}\n${unit.prefix}`;
      // A job's task rows share its unit and carry no identity of their own: what its history row knew stays.
      const known = identities.get(row) ?? units.get(id)?.known;
      units.set(id, { unit, ...(known ? { known } : {}) });
    }
    const learned = new Map<string, string>();
    for (const { unit, known } of units.values()) {
      // Judged by what was written (Graph's values), not only by what the rows kept: an omitted user is still theirs.
      const rewrite = await rewriteJob(this.store, unit, policy, subjects, undefined, known);
      if (this.base.key)
        for (const p of learnedFrom(rewrite, this.base.key)) if (!subjects.has(p)) learned.set(p, rewrite.erasureId!);
    }
    for (const { row, kind } of written) await dropStaleDerived(this.store, row, kind);
    // The identifiers these jobs carried belong to an erased person: listed, so their later jobs are stored erased.
    for (const [subject, erasureId] of learned) {
      subjects.set(subject, erasureId);
      await listErasedSubjects(this.store, this.base.key!, [subject], erasureId);
    }
    if (learned.size > 0) await requestRedactionPass(this.store);
  }
}
