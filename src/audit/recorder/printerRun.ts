/** One audit of one printer: what it is given, what it reports, and what its steps share while it runs. */
import { type GraphClient } from "../../graph/client";
import { type AuditLog } from "../auditLog";
import { withErasureList } from "../redaction";
import { MalformedData, type PrivacySettings } from "../snapshot";
import { type SummaryTarget } from "../summaries";
import { type AuditStore } from "../store";
import { PrinterEvidence, type EvidenceAnchor } from "../integrity";
import { type AuditRunCounts } from "../../errors";

export interface AuditPrinterOptions {
  graph: GraphClient;
  store: AuditStore;
  privacy: PrivacySettings;
  runId: string;
  printerId: string;
  log: AuditLog;
  now?: () => Date;
  /** How many $batch requests of one printer run at once. */
  batchConcurrency?: number;
  /** The delivery's attempt (the queue's dequeue count): a retry first completes what an earlier attempt of the run wrote. */
  attempt?: number;
  /** The evidence anchor (integrity/): when given, every history row written is digested and anchored. */
  evidence?: EvidenceAnchor;
}

/** What a printer's run reports (the kernel defines the counts, so an AuditIncompleteError can carry them). */
export type AuditResult = AuditRunCounts;

/** What the steps of one printer's run share. */
export interface PrinterRun extends AuditPrinterOptions {
  now: () => Date;
  malformed: MalformedData;
  printerRef: { id: string; name?: string };
  printerName: () => Promise<string | undefined>;
  privacyForWrites: () => Promise<PrivacySettings>;
  result: AuditResult;
  /** The daily summaries (day, printer) this run marked. */
  summaries: Map<string, SummaryTarget>;
  /** This attempt's evidence writer, when the run has an anchor. */
  integrity?: PrinterEvidence;
}

export function startPrinterRun(options: AuditPrinterOptions): PrinterRun {
  const result: AuditResult = {
    jobsSeen: 0,
    jobsFetched: 0,
    changesWritten: 0,
    taskRowsWritten: 0,
    pages: 0,
    errors: 0,
    malformedFields: 0,
  };
  // The printer's display name (printers get renamed) is read only when there is a row to write: a steady run spends no request on it.
  let nameRead: Promise<string | undefined> | undefined;
  const printerName = (): Promise<string | undefined> =>
    (nameRead ??= options.graph.getPrinter(options.printerId, { select: ["id", "displayName"] }).then(({ body }) => {
      result.printerName = typeof body?.displayName === "string" ? body.displayName : undefined;
      return result.printerName;
    }));
  let erasuresRead: Promise<PrivacySettings> | undefined;
  const privacyForWrites = (): Promise<PrivacySettings> =>
    (erasuresRead ??= withErasureList(options.store, options.privacy));
  return {
    ...options,
    now: options.now ?? (() => new Date()),
    malformed: new MalformedData(),
    printerRef: { id: options.printerId },
    printerName,
    privacyForWrites,
    result,
    summaries: new Map(),
    ...(options.evidence
      ? {
          integrity: new PrinterEvidence(
            { store: options.store, anchor: options.evidence },
            { printerId: options.printerId, runId: options.runId, now: options.now },
          ),
        }
      : {}),
  };
}
