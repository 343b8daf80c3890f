import { findingCounts, type IntegrityReport } from "../audit/integrity";
import { type IntegrityVerified } from "../telemetry";

/** The IntegrityVerified event of a check: its counts, or `failed` when it could not finish (no report). */
export function integrityEvent(
  range: { from: string; to: string },
  startedAt: number,
  report?: IntegrityReport,
): IntegrityVerified {
  const counts = report ? findingCounts(report) : { altered: 0, missing: 0, unexpected: 0 };
  return {
    outcome: !report ? "failed" : report.intact ? "intact" : "broken",
    fromDay: range.from,
    toDay: range.to,
    rowsChecked: report?.rowsChecked ?? 0,
    linksChecked: report?.linksChecked ?? 0,
    alteredRows: counts.altered,
    missingRows: counts.missing,
    unexpectedRows: counts.unexpected,
    rowsRemovedByRetention: report?.rowsRemovedByRetention ?? 0,
    durationMs: Date.now() - startedAt,
  };
}
