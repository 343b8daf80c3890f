/**
 * Verification of a range: the history rows of the jobs created in it are read once (one query per table), the
 * anchor's records from two days before it until now, and the Integrity table's links of that window; check.ts
 * compares them. Writes nothing.
 */

import { invertedTime, prefixEnd } from "../keys";
import { odata, type StoredRow } from "../store";
import { type AnchoredRecord, readAnchor } from "./anchor";
import { tablePrefixOf, type EvidenceTarget } from "./chain";
import { checkEvidence, type IntegrityFinding } from "./check";
import { type FactTable } from "./facts";
import { openRuns, staleMarkerMs } from "./healing";
import { linkKeyPrefix, linkRowKey, linkTextOf, textHash } from "./links";

const dayMs = 86_400_000;
/** A job created in the range is observed after it was created (two days allow for clock skew and late runs). */
const windowLeadMs = 2 * dayMs;

export interface IntegrityReport {
  intact: boolean;
  rowsChecked: number;
  findings: IntegrityFinding[];
  from: string;
  to: string;
  linksChecked: number;
  rowsRemovedByRetention: number;
  /** Rows of runs being written right now (their digest follows the rows). */
  rowsBeingWritten: number;
  checkedDateTime: string;
}

export interface VerifyOptions {
  /** UTC days, YYYY-MM-DD, both included. */
  from: string;
  to: string;
  retentionDays: number;
  now?: Date;
}

/** What verification read: the pack is made of it. */
export interface Evidence {
  records: AnchoredRecord[];
  rows: { table: FactTable; row: StoredRow }[];
  windowStartMs: number;
}

/** The history rows of the jobs created in [fromMs, toMs): one query per table, across printers. */
async function rowsCreatedIn(target: EvidenceTarget, fromMs: number, toMs: number): Promise<Evidence["rows"]> {
  const { store } = target;
  const low = invertedTime(toMs - 1);
  const high = prefixEnd(`${invertedTime(fromMs)}|`);
  const filter = odata`RowKey ge ${low} and RowKey lt ${high}`;
  const [jobs, tasks] = await Promise.all([
    store.rowsWhere(store.tables.jobs, filter),
    store.rowsWhere(store.tables.tasks, filter),
  ]);
  return [
    ...jobs.map((row) => ({ table: "jobs" as const, row })),
    ...tasks.map((row) => ({ table: "tasks" as const, row })),
  ];
}

export async function gatherEvidence(target: EvidenceTarget, options: VerifyOptions): Promise<Evidence> {
  const fromMs = Date.parse(`${options.from}T00:00:00Z`);
  const toMs = Date.parse(`${options.to}T00:00:00Z`) + dayMs;
  const nowMs = (options.now ?? new Date()).getTime();
  const windowStartMs = fromMs - windowLeadMs;
  const [anchor, rows] = await Promise.all([
    readAnchor(target.anchor, tablePrefixOf(target.store), windowStartMs, nowMs + 3_600_000),
    rowsCreatedIn(target, fromMs, toMs),
  ]);
  return { records: anchor.records, rows, windowStartMs };
}

/** Verifies the jobs created in a range against the anchor. */
export async function verifyIntegrity(
  target: EvidenceTarget,
  options: VerifyOptions,
): Promise<{ report: IntegrityReport; evidence: Evidence }> {
  const { store } = target;
  const now = options.now ?? new Date();
  const evidence = await gatherEvidence(target, options);
  const open = await openRuns(store);
  const openNow = new Set([...open].filter(([, time]) => now.getTime() - time < staleMarkerMs).map(([key]) => key));
  const result = checkEvidence({
    records: evidence.records,
    rows: evidence.rows,
    tableNames: { jobs: store.tables.jobs, tasks: store.tables.tasks, integrity: store.tables.integrity },
    fromMs: Date.parse(`${options.from}T00:00:00Z`),
    toMs: Date.parse(`${options.to}T00:00:00Z`) + dayMs,
    windowStartMs: evidence.windowStartMs,
    nowMs: now.getTime(),
    retentionDays: options.retentionDays,
    openRuns: openNow,
  });
  const findings = dedupe([...result.findings, ...(await linkRowFindings(target, result.links, evidence, now))]);
  const report: IntegrityReport = {
    intact: findings.length === 0,
    rowsChecked: result.rowsChecked,
    findings,
    from: options.from,
    to: options.to,
    linksChecked: result.linksChecked,
    rowsRemovedByRetention: result.rowsRemovedByRetention,
    rowsBeingWritten: result.rowsBeingWritten,
    checkedDateTime: now.toISOString(),
  };
  return { report, evidence };
}

/** The Integrity table's links of the window against the anchor's: removed (missing), changed (altered), never anchored (unexpected). */
async function linkRowFindings(
  target: EvidenceTarget,
  anchored: ReturnType<typeof checkEvidence>["links"],
  evidence: Evidence,
  now: Date,
): Promise<IntegrityFinding[]> {
  const { store } = target;
  const table = store.tables.integrity;
  const windowStart = new Date(evidence.windowStartMs).toISOString();
  const filter = odata`RowKey ge ${linkKeyPrefix} and RowKey lt ${prefixEnd(linkKeyPrefix)} and Time ge ${windowStart}`;
  const rows = new Map<string, StoredRow>();
  for (const row of await store.rowsWhere(table, filter)) rows.set(`${row.partitionKey}|${row.rowKey}`, row);
  const findings: IntegrityFinding[] = [];
  for (const list of anchored.values()) {
    for (const { link, hash } of list) {
      if (link.time < windowStart) continue;
      const row = rows.get(`${link.printer}|${linkRowKey(link.n)}`);
      const rowHash = row ? textHash(linkTextOf(row)) : undefined;
      if (rowHash === hash) continue;
      const kind = row && !list.some((l) => l.hash === rowHash) ? "altered" : "missing";
      findings.push({ kind, table, partitionKey: link.printer, rowKey: linkRowKey(link.n) });
    }
  }
  for (const row of rows.values()) {
    const list = anchored.get(`${row.partitionKey}|${Number(row.N)}`);
    if (list) continue;
    const young = now.getTime() - Date.parse(String(row.Time)) < staleMarkerMs;
    if (!(row.Pending === true && young))
      findings.push({ kind: "unexpected", table, partitionKey: String(row.partitionKey), rowKey: String(row.rowKey) });
  }
  return findings;
}

function dedupe(findings: IntegrityFinding[]): IntegrityFinding[] {
  const seen = new Map<string, IntegrityFinding>();
  for (const f of findings) seen.set(`${f.kind}|${f.table}|${f.partitionKey}|${f.rowKey}`, f);
  return [...seen.values()].sort((a, b) => {
    const ka = `${a.table}|${a.partitionKey}|${a.rowKey}|${a.kind}`;
    const kb = `${b.table}|${b.partitionKey}|${b.rowKey}|${b.kind}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** Findings by kind, as telemetry counts them. */
export function findingCounts(report: IntegrityReport): { altered: number; missing: number; unexpected: number } {
  const counts = { altered: 0, missing: 0, unexpected: 0 };
  for (const f of report.findings) counts[f.kind]++;
  return counts;
}
