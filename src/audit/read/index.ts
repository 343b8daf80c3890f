/**
 * The read side of the audit: the history filtered by printer, created time, state and user, a page at a
 * time (historyPage.ts) or as CSV (csvExport.ts, cells in csv.ts), from the reader historyReader.ts picks;
 * one job's timeline (timeline.ts); the daily summaries (summariesQuery.ts). Options are validated
 * completely first (historyQuery.ts), so a bad one is a 400 naming it.
 */
export { csvCell } from "./csv";
export { exportHistoryCsv } from "./csvExport";
export { listHistoryPage, publicRow } from "./historyPage";
export { parseHistoryQuery, type HistoryQuery } from "./historyQuery";
export { historyFilter } from "./historyReader";
export { parseSummaryQuery, readSummaries } from "./summariesQuery";
export { getJobTimeline } from "./timeline";
