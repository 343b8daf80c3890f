/** A page of the filtered history as the API shows it: GET /api/audit/jobs with format=json. */
import { type HistoryPage } from "../../contract/auditAnswers";
import { readPage } from "../indexes";
import { jobColumns, type PrivacySettings } from "../snapshot";
import { type AuditStore } from "../store";
import { type HistoryQuery } from "./historyQuery";
import { historyReader } from "./historyReader";

/** A stored row as the API shows it: the table's column names, no keys or etag; a missing value is null. */
export function publicRow(
  row: Record<string, unknown>,
  columns: readonly string[] = jobColumns,
): Record<string, unknown> {
  return Object.fromEntries(columns.map((c) => [c, row[c] ?? null]));
}

/**
 * One page of at most `top` rows (or jobs, with latest=true), in the documented order. Reading goes on
 * past the service's short or empty pages until the page is full, the rows run out, or the deadline passes
 * with at least one row in hand.
 */
export async function listHistoryPage(
  store: AuditStore,
  q: HistoryQuery,
  privacy: PrivacySettings,
  options: { deadline?: number } = {},
): Promise<HistoryPage> {
  const reader = await historyReader(store, q, privacy);
  const page = await readPage(reader, { top: q.top, latest: q.latest, deadline: options.deadline });
  return {
    value: page.rows.map((row) => publicRow(row)),
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
  };
}
