/**
 * Healing, at the start of every attempt of a printer's run: links created but not anchored (a crash between the
 * two) are appended to the anchor, and every run left open by an attempt that stopped (crash or failure) has its
 * history rows that no link covers digested in a `heal` link. A marker is deleted only once it is older than any
 * attempt runs, so an attempt still writing (an overlapping run) is healed again later, never cut off.
 */

import { odata, type AuditStore, type StoredRow } from "../store";
import { anchorRecords } from "./anchor";
import { appendLinks, markAnchored, tablePrefixOf, type EvidenceTarget } from "./chain";
import { writtenLeaf, type FactTable } from "./facts";
import { type Link, type LinkEntry, linkKeyPrefix, linkTextOf, openKeyPrefix, parseRecord } from "./links";

/** No attempt of a printer's run lasts this long (the Functions host stops it first): its marker is stale. */
export const staleMarkerMs = 2 * 60 * 60_000;

export interface HealResult {
  linksAnchored: number;
  runsHealed: number;
  rowsHealed: number;
}

interface HealOptions {
  printerId: string;
  ownAttempt: string;
  now: () => Date;
}

export async function healPrinter(target: EvidenceTarget, options: HealOptions): Promise<HealResult> {
  const { store } = target;
  const { printerId, now } = options;
  const pending = await store.rowsWhere(
    store.tables.integrity,
    odata`PartitionKey eq ${printerId} and Pending eq true`,
  );
  const result: HealResult = { linksAnchored: 0, runsHealed: 0, rowsHealed: 0 };
  const unanchored = pending
    .filter((row) => String(row.rowKey).startsWith(linkKeyPrefix))
    .map((row) => parseRecord(linkTextOf(row)))
    .filter((link): link is Link => link?.type === "link");
  if (unanchored.length > 0) {
    await anchorRecords(target.anchor, tablePrefixOf(store), unanchored);
    for (const link of unanchored) await markAnchored(store, link);
    result.linksAnchored = unanchored.length;
  }
  const markers = pending.filter(
    (row) => String(row.rowKey).startsWith(openKeyPrefix) && row.Attempt !== options.ownAttempt,
  );
  const healed = new Set<string>();
  for (const marker of markers) {
    const run = String(marker.RunId);
    const stale = now().getTime() - Date.parse(String(marker.Time)) > staleMarkerMs;
    if (marker.Anchored === true && !healed.has(run)) {
      healed.add(run);
      const rows = await healRun(target, printerId, run, options);
      result.runsHealed++;
      result.rowsHealed += rows;
    }
    if (stale) {
      const filter = odata`PartitionKey eq ${printerId} and RowKey eq ${String(marker.rowKey)}`;
      await store.deleteWhere(store.tables.integrity, filter);
    }
  }
  return result;
}

/** Digests the rows of one run no link of that run covers; returns how many. */
async function healRun(target: EvidenceTarget, printerId: string, run: string, options: HealOptions): Promise<number> {
  const { store } = target;
  const ofRun = odata`PartitionKey eq ${printerId} and RunId eq ${run}`;
  const [jobs, tasks, links] = await Promise.all([
    store.rowsWhere(store.tables.jobs, ofRun),
    store.rowsWhere(store.tables.tasks, ofRun),
    store.rowsWhere(store.tables.integrity, ofRun),
  ]);
  const covered = coveredKeys(links);
  const entries: LinkEntry[] = [];
  const add = (table: FactTable, rows: StoredRow[]): void => {
    for (const row of rows)
      if (!covered.has(`${table}|${row.rowKey}`)) entries.push([table, String(row.rowKey), writtenLeaf(table, row)]);
  };
  add("jobs", jobs);
  add("tasks", tasks);
  if (entries.length === 0) return 0;
  await appendLinks(
    target,
    { printer: printerId, run, kind: "heal", attempt: options.ownAttempt },
    entries,
    options.now,
  );
  return entries.length;
}

/** The rows (table|RowKey) a set of link rows covers. */
function coveredKeys(linkRows: readonly StoredRow[]): Set<string> {
  const covered = new Set<string>();
  for (const row of linkRows) {
    if (!String(row.rowKey).startsWith(linkKeyPrefix)) continue;
    const link = parseRecord(linkTextOf(row));
    if (link?.type === "link") for (const [table, rowKey] of link.entries) covered.add(`${table}|${rowKey}`);
  }
  return covered;
}

/** For verification: the printers' open markers (runs being written now, or left open by a crash). */
export async function openRuns(store: AuditStore): Promise<Map<string, number>> {
  const filter = odata`RowKey ge ${openKeyPrefix} and RowKey lt ${"open}"} and Anchored eq true`;
  const runs = new Map<string, number>();
  for (const row of await store.rowsWhere(store.tables.integrity, filter, ["PartitionKey", "RunId", "Time"]))
    runs.set(`${row.partitionKey}|${row.RunId}`, Date.parse(String(row.Time)));
  return runs;
}
