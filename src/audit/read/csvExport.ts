/** The filtered history as one CSV file: GET /api/audit/jobs with format=csv. */
import { readPage } from "../indexes";
import { jobColumns, type PrivacySettings } from "../snapshot";
import { type AuditStore } from "../store";
import { csvLine } from "./csv";
import { type HistoryQuery } from "./historyQuery";
import { historyReader } from "./historyReader";

/** The most rows one CSV export holds; a larger set is cut there (and says so in its headers). */
export const maxCsvRows = 50_000;

export interface CsvExport {
  text: string;
  rows: number;
  /** Set when the export stopped at maxCsvRows or its time budget: where to continue. */
  continuationToken?: string;
}

/** The whole filtered history as CSV (UTF-8 with BOM, CRLF lines, a header row of the column names). */
export async function exportHistoryCsv(
  store: AuditStore,
  q: HistoryQuery,
  privacy: PrivacySettings,
  options: { maxRows?: number; deadline?: number } = {},
): Promise<CsvExport> {
  const maxRows = options.maxRows ?? maxCsvRows;
  const reader = await historyReader(store, q, privacy);
  const page = await readPage(reader, { top: maxRows, latest: q.latest, deadline: options.deadline });
  const parts: string[] = ["\uFEFF", csvLine(jobColumns)];
  for (const row of page.rows) parts.push(csvLine(jobColumns.map((c) => row[c])));
  return {
    text: parts.join(""),
    rows: page.rows.length,
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
  };
}
