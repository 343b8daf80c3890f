/** Retention of the summaries: days wholly before the cutoff go; the cutoff's own day is recomputed from what is left. */
import { odata, type AuditStore } from "../store";
import { dayKey, dayOf, dayRowKey, type SummaryTarget } from "./days";
import { markDirty } from "./marking";
import { refreshSummaries } from "./refresh";

export async function purgeSummaries(
  store: AuditStore,
  cutoffMs: number,
  options: { shouldStop?: () => boolean } = {},
): Promise<{ deleted: number; stopped: boolean }> {
  const cutoffDay = dayOf(cutoffMs);
  // Older days have larger keys.
  const result = await store.deleteWhere(store.tables.summaries, odata`PartitionKey gt ${dayKey(cutoffDay)}`, options);
  if (result.stopped) return result;
  const targets = new Map<string, SummaryTarget>();
  const printerRows = odata`PartitionKey eq ${dayKey(cutoffDay)} and RowKey ne ${dayRowKey}`;
  for await (const row of store.scan(store.tables.summaries, printerRows, ["RowKey"])) {
    targets.set(String(row.rowKey), { day: cutoffDay, printerId: String(row.rowKey) });
  }
  // Marked first, as every writer marks: a reader meanwhile does not trust the old counts.
  await markDirty(store, targets);
  await refreshSummaries(store, targets.values());
  return result;
}
