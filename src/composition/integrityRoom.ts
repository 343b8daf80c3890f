/** Verifying the audit's tamper evidence: at once for a short range, as a queued background check for a long one. */
import { type InvocationContext } from "@azure/functions";
import {
  checkIdPattern,
  checkQueueName,
  completeCheck,
  findingCounts,
  getCheck,
  maxImmediateRangeDays,
  parseIntegrityRange,
  startCheck,
  verifyIntegrity,
  type IntegrityCheck,
  type IntegrityRange,
  type IntegrityReport,
} from "../audit/integrity";
import { auditReplyToError } from "../http/auditReplies";
import { emitIntegrityVerified, type IntegrityVerified } from "../telemetry";
import { type AuditClients } from "./auditClients";

export type IntegrityRoom = ReturnType<typeof createIntegrityRoom>;

/** The IntegrityVerified event of a check: its counts, or `failed` when it could not finish (no report). */
function integrityEvent(range: { from: string; to: string }, startedAt: number, report?: IntegrityReport) {
  const counts = report ? findingCounts(report) : { altered: 0, missing: 0, unexpected: 0 };
  const event: IntegrityVerified = {
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
  return event;
}

export function createIntegrityRoom(clients: AuditClients) {
  const store = clients.auditStore();
  const { audit } = clients.config;
  /** Verifies a range and sends its IntegrityVerified event, also when the check fails. */
  const verify = async (context: InvocationContext, range: { from: string; to: string }): Promise<IntegrityReport> => {
    const startedAt = Date.now();
    const anchor = clients.evidenceAnchor();
    const { report } = await verifyIntegrity({ store, anchor }, { ...range, retentionDays: audit.retentionDays }).catch(
      (error: unknown) => {
        emitIntegrityVerified(context, integrityEvent(range, startedAt));
        throw error;
      },
    );
    emitIntegrityVerified(context, integrityEvent(range, startedAt, report));
    return report;
  };
  return {
    checkIdPattern,
    maxImmediateRangeDays,
    parseRange: (query: URLSearchParams): IntegrityRange => parseIntegrityRange(query),
    verify,
    /** Records a background check of a long range and queues it; the caller polls the check. */
    startCheck: async (range: IntegrityRange): Promise<string> => {
      const checkId = await startCheck(store, range);
      const queue = clients.queue(checkQueueName(audit.queueName));
      await queue.createIfNotExists();
      await queue.sendMessage(JSON.stringify({ checkId, from: range.from, to: range.to }));
      return checkId;
    },
    check: (checkId: string): Promise<IntegrityCheck | undefined> => getCheck(store, checkId),
    completeCheck: (checkId: string, report: IntegrityReport) => completeCheck(store, checkId, report),
    replyToError: (context: InvocationContext, error: unknown, subject: string) =>
      auditReplyToError(context, error, subject, clients.app.graphTokenRoles()),
  };
}
