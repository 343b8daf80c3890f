/**
 * Daily summaries kept at record time (the data-series pattern): one row per UTC day and printer that counts
 * the jobs created that day by their latest recorded state (summarizeDay.ts), and a "~day" row that adds up
 * its printers (readDay.ts). Rows are never incremented, only marked Dirty by writers (marking.ts) and
 * recomputed from the history (refresh.ts), so replays, crashes and two runs at once give the same counts.
 * Redaction, erasure and the index backfill call updateSummaries() with the rows they wrote (afterWrites.ts);
 * retention deletes the days it purged and recomputes the boundary day (purge.ts).
 */
export { refreshDirtySummaries, refreshSummariesAndDays, updateSummaries } from "./afterWrites";
export {
  dayKey,
  dayMs,
  dayOf,
  dayOfHistoryKey,
  dayOfKey,
  dayRange,
  dayRowKey,
  dayStart,
  type SummaryTarget,
} from "./days";
export { markSummaries, summaryTargets } from "./marking";
export { purgeSummaries } from "./purge";
export { readDay } from "./readDay";
export { readDays } from "./readDays";
export { refreshSummaries, refreshSummary } from "./refresh";
export { dayTotalsOf, personOf, summarizeHistory, type DaySummary, type DayTotals } from "./summarizeDay";
export { dayTotalsOfRow, dayTotalsRow, hoursOf, summaryOfRow, summaryRow } from "./summaryRows";
