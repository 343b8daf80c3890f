/** The audit's timers and queue: opening runs, a printer's audit, its run rows, retention, the index backfill. */
import { type AuditLog } from "../audit/auditLog";
import { openRun, resolvePrinters } from "../audit/fanout";
import { backfillIndexes, completeIndexesOfNewAudit, isIndexComplete } from "../audit/indexes";
import { newRunId } from "../audit/keys";
import { type PrivacyPolicy } from "../audit/privacy";
import { auditPrinterJobs, describeFailure, graphFailureOf, leftDerivedRowsPending } from "../audit/recorder";
import { redactForRun } from "../audit/redactionRun";
import { purgeHistory } from "../audit/retention";
import { getRun, parseAuditMessage, recordRun, type RunRecord } from "../audit/runs";
import { nextOccurrence } from "../audit/nextRun";
import { timeOfEventKey } from "../audit/events";
import { graphAccessAdvice, missingGraphRoles } from "../graph/tokenRoles";
import { emitAuditRunStarted, emitPrinterAudited, emitRedactionPass, failureReason } from "../telemetry";
import { type AuditClients } from "./auditClients";

export type AuditRunRoom = ReturnType<typeof createAuditRunRoom>;

export function createAuditRunRoom(clients: AuditClients) {
  const store = clients.auditStore();
  const { audit } = clients.config;
  return {
    describeFailure,
    leftDerivedRowsPending,
    parseAuditMessage,
    newRunId,
    /** The privacy to record under; the timer, one run at a time, may create a missing Key Vault secret. */
    privacy: (options: { create?: boolean } = {}) => clients.privacy(options),
    completeIndexesOfNewAudit: (log: AuditLog) => completeIndexesOfNewAudit(store, log),
    resolvePrinters: (log: AuditLog) => resolvePrinters(audit, clients.app.graph("background"), log),
    openRun: (printerIds: readonly string[], pastDue: boolean) =>
      openRun({ printerIds, pastDue, store, queue: clients.queue(audit.queueName) }),
    redactForRun: (runId: string, privacy: PrivacyPolicy, log: AuditLog) => redactForRun(store, runId, privacy, log),
    recordRun: (record: Partial<RunRecord> & { RunId: string; PrinterId: string }) => recordRun(store, record),
    getRun: (runId: string, printerId: string) => getRun(store, runId, printerId),
    auditPrinterJobs: async (run: { runId: string; printerId: string; attempt: number }, log: AuditLog) =>
      auditPrinterJobs({
        graph: clients.app.graph("background"),
        store,
        privacy: await clients.privacy(),
        ...run,
        log,
        evidence: clients.evidenceAnchor(),
      }),
    /** When Graph refused the attempt (403): the roles the app's own token lacks, and what to do about a cached token. */
    graphRefusal: (error: unknown) => {
      if (graphFailureOf(error)?.statusCode !== 403) return undefined;
      const roles = clients.app.graphTokenRoles();
      return { missingRoles: missingGraphRoles(roles), advice: graphAccessAdvice(roles) };
    },
    /** A run that failed half-written holds the events feed for one audit interval: until the next scheduled run. */
    feedHoldEnd: (runId: string): string | undefined => {
      const opened = timeOfEventKey(runId);
      return Number.isFinite(opened) ? nextOccurrence(audit.schedule, new Date(opened))?.toISOString() : undefined;
    },
    telemetry: { emitAuditRunStarted, emitPrinterAudited, emitRedactionPass, failureReason },
    purgeHistory: (log: AuditLog) => purgeHistory(store, { retentionDays: audit.retentionDays, log }),
    isIndexComplete: () => isIndexComplete(store),
    backfillIndexes: (options: { log: AuditLog; shouldStop: () => boolean }) => backfillIndexes(store, options),
  };
}
