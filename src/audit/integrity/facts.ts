/**
 * The facts of a history row and their digest (a link entry's leaf): the row's keys and every column but the
 * personal and free-text ones, which redaction and erasure rewrite. Kept in step with
 * scripts/verify-evidence.mjs, which an auditor runs without this app.
 */
import { createHash } from "node:crypto";
import { fitEntity } from "../store";

/** The history tables the evidence covers, as link entries name them. */
export type FactTable = "jobs" | "tasks";

/** Columns left out of the digest: who printed, document names, free text, the privacy markers; and the service's own. */
export const columnsLeftOut: ReadonlySet<string> = new Set([
  "CreatedBy",
  "CreatedById",
  "CreatedByName",
  "DocumentNames",
  "JobStateDescription",
  "JobStateDetails",
  "TaskDescription",
  "PrivacyUsers",
  "PrivacyDocuments",
  "partitionKey",
  "rowKey",
  "etag",
  "timestamp",
]);

export type FactValue = string | number | boolean;

/** A lone surrogate becomes U+FFFD, as Table Storage's UTF-8 stores it, so a row read back digests as written. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/** A column's value as the digest sees it; undefined for a column that is not there. */
function factValue(value: unknown): FactValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return wellFormed(value);
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (value instanceof Date) return value.toISOString();
  // Typed values the SDK hands back as { type, value } (Int64, Guid, Binary): only a hand-made row holds them.
  return wellFormed(JSON.stringify(value));
}

/** The fact columns of a row, sorted by name, each with its value. */
export function factColumns(row: Record<string, unknown>): [string, FactValue][] {
  const columns: [string, FactValue][] = [];
  for (const name of Object.keys(row).sort()) {
    if (columnsLeftOut.has(name) || name.startsWith("odata.")) continue;
    const value = factValue(row[name]);
    if (value !== undefined) columns.push([name, value]);
  }
  return columns;
}

/** The canonical text of a row's facts: JSON of [table, partitionKey, rowKey, [[column, value], ...]]. */
export function canonicalFacts(table: FactTable, row: Record<string, unknown>): string {
  const partitionKey = wellFormed(String(row.partitionKey ?? ""));
  const rowKey = wellFormed(String(row.rowKey ?? ""));
  return JSON.stringify([table, partitionKey, rowKey, factColumns(row)]);
}

/** SHA-256 (hex) of a row's facts: the leaf a link records for it. */
export function factLeaf(table: FactTable, row: Record<string, unknown>): string {
  return createHash("sha256")
    .update(`upj-fact/1\n${canonicalFacts(table, row)}`)
    .digest("hex");
}

/** The leaf of a row about to be written: digested as the store writes it (fitted to Table Storage's limits). */
export function writtenLeaf(table: FactTable, row: Record<string, unknown>): string {
  return factLeaf(table, fitEntity(row));
}

/** The row's facts only (keys and fact columns), as the evidence pack holds it. */
export function factsOnly(row: Record<string, unknown>): Record<string, FactValue> {
  return {
    partitionKey: String(row.partitionKey ?? ""),
    rowKey: String(row.rowKey ?? ""),
    ...Object.fromEntries(factColumns(row)),
  };
}
