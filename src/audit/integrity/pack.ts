/**
 * The evidence pack of a range: what an outside auditor needs to re-check it without this app. The rows' facts
 * exactly as digested, the anchor's lines exactly as the immutable blobs hold them, the report, and the range;
 * scripts/verify-evidence.mjs (copied in by the caller) recomputes everything with node:crypto alone.
 */
import { type FactTable, factColumns } from "./facts";
import { type Evidence, type IntegrityReport } from "./verify";

export interface PackFacts {
  from: string;
  to: string;
  /** Jobs created from fromMs (inclusive) to toMs (exclusive); the anchor read from windowStartMs. */
  fromMs: number;
  toMs: number;
  windowStartMs: number;
  checkedMs: number;
  retentionDays: number;
  tables: Record<FactTable | "integrity", string>;
}

/** The pack's files by name (the caller adds verify-evidence.mjs). */
export function evidencePackFiles(evidence: Evidence, report: IntegrityReport, facts: PackFacts): Map<string, string> {
  const rows = evidence.rows.map(({ table, row }) =>
    JSON.stringify({ table, partitionKey: row.partitionKey, rowKey: row.rowKey, facts: factColumns(row) }),
  );
  const lines = evidence.records.map((r) => r.text);
  return new Map([
    ["rows.jsonl", rows.map((r) => `${r}\n`).join("")],
    ["links.jsonl", lines.map((l) => `${l}\n`).join("")],
    ["evidence.json", `${JSON.stringify(facts, null, 2)}\n`],
    ["report.json", `${JSON.stringify(report, null, 2)}\n`],
    ["README.txt", packReadme(facts)],
  ]);
}

function packReadme(facts: PackFacts): string {
  return [
    `Evidence pack of the print audit: jobs created from ${facts.from} to ${facts.to} (UTC days).`,
    "",
    "rows.jsonl       the job and task history rows of the range, facts only (no person, no document name):",
    "                 table, partitionKey (printer), rowKey, and the digested columns as [name, value] pairs",
    "links.jsonl      the digests, exactly as appended to the immutable anchor blobs from two days before the range",
    "evidence.json    the range, the anchor window, the retention in days and the table names",
    "report.json      the app's verification report",
    "verify-evidence.mjs  re-checks all of it with Node.js 20+ and node:crypto only",
    "",
    "Check:  node verify-evidence.mjs      (in this folder; exit code 0 when intact)",
    "",
    "Each row's leaf is SHA-256 of 'upj-fact/1\\n' + JSON [table, partitionKey, rowKey, facts]; each link lists the",
    "leaves of the rows one write committed and the SHA-256 of the printer's previous link (prev). To be sure",
    "links.jsonl is the anchor, download the blobs of the evidence container yourself and compare the lines.",
    "",
  ].join("\n");
}
