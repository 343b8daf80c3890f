/**
 * The audited printers, for the triggers' printer picker (x-ms-dynamic-values): the printers of
 * AUDIT_PRINTER_IDS and any other printer a recent run audited, with the name the latest run recorded.
 */
import { isGuid } from "../../validation";
import { runIdFloor, runIdPattern } from "../keys";
import { odata, type AuditStore } from "../store";

export interface AuditedPrinter {
  id: string;
  displayName: string;
}

/** How far back run rows are read for names (and discovered printers): a few runs at the default schedule. */
const recentRunsMs = 3 * 3_600_000;

export async function auditedPrinters(
  store: AuditStore,
  configured: readonly string[],
  now = Date.now(),
): Promise<AuditedPrinter[]> {
  const names = new Map<string, string | undefined>(configured.map((id) => [id.toLowerCase(), undefined]));
  const runs = await store.rowsWhere(store.tables.runs, odata`PartitionKey ge ${runIdFloor(now - recentRunsMs)}`, [
    "PartitionKey",
    "RowKey",
    "PrinterName",
  ]);
  // Oldest run first, so the latest recorded name wins.
  for (const run of runs.sort((a, b) => (a.partitionKey! < b.partitionKey! ? -1 : 1))) {
    // A run's other rows (its redaction step, the index backfill's marker) name no printer.
    if (!runIdPattern.test(String(run.partitionKey)) || !isGuid(String(run.rowKey))) continue;
    const id = String(run.rowKey).toLowerCase();
    const name = typeof run.PrinterName === "string" && run.PrinterName !== "" ? run.PrinterName : names.get(id);
    names.set(id, name);
  }
  return [...names.entries()]
    .map(([id, name]) => ({ id, displayName: name ?? id }))
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || (a.id < b.id ? -1 : 1));
}
