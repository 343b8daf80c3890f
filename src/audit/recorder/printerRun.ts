/** One audit of one printer: what it is given, what it reports, and the context its steps read (they return what they did). */
import { type GraphClient } from "../../graph/client";
import { type AuditLog } from "../auditLog";
import { ErasureGuard } from "../redaction";
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

/** What a step of the run did, added up into the run's result. */
export type StepCounts = Partial<Omit<AuditResult, "malformedFields">>;

/** The counts of a run that did nothing yet. */
export function noCounts(): AuditResult {
  return {
    jobsSeen: 0,
    jobsFetched: 0,
    changesWritten: 0,
    taskRowsWritten: 0,
    pages: 0,
    errors: 0,
    malformedFields: 0,
  };
}

/** A run's counts with a step's added (the latest error and printer name win). */
export function addCounts(total: AuditResult, step: StepCounts): AuditResult {
  const sum = (name: "jobsSeen" | "jobsFetched" | "changesWritten" | "taskRowsWritten" | "pages" | "errors") =>
    total[name] + (step[name] ?? 0);
  return {
    ...total,
    jobsSeen: sum("jobsSeen"),
    jobsFetched: sum("jobsFetched"),
    changesWritten: sum("changesWritten"),
    taskRowsWritten: sum("taskRowsWritten"),
    pages: sum("pages"),
    errors: sum("errors"),
    ...(step.lastError !== undefined
      ? { lastError: step.lastError, lastErrorStatus: step.lastErrorStatus, lastErrorCode: step.lastErrorCode }
      : {}),
    ...("printerName" in step ? { printerName: step.printerName } : {}),
  };
}

/** What the steps of one printer's run read: its options, and what is read once per run when first needed. */
export interface PrinterRun extends Readonly<AuditPrinterOptions> {
  readonly now: () => Date;
  /** Graph's unexpected shapes, noted while snapshots are parsed. */
  readonly malformed: MalformedData;
  readonly printerRef: { id: string; name?: string };
  readonly printerName: () => Promise<string | undefined>;
  readonly privacyForWrites: () => Promise<PrivacySettings>;
  /** The erasure list the run writes under: learned identifiers listed before a write, a recheck after it. */
  readonly erasures: ErasureGuard;
  /** The daily summaries (day, printer) this run marked, recomputed once at its end. */
  readonly summaries: Map<string, SummaryTarget>;
  /** This attempt's evidence writer, when the run has an anchor. */
  readonly integrity?: PrinterEvidence;
}

export function startPrinterRun(options: AuditPrinterOptions): PrinterRun {
  // The printer's display name (printers get renamed) is read only when there is a row to write: a steady run spends no request on it.
  let nameRead: Promise<string | undefined> | undefined;
  const printerName = (): Promise<string | undefined> =>
    (nameRead ??= options.graph
      .getPrinter(options.printerId, { select: ["id", "displayName"] })
      .then(({ body }) => (typeof body?.displayName === "string" ? body.displayName : undefined)));
  const erasures = new ErasureGuard(options.store, options.privacy);
  const privacyForWrites = (): Promise<PrivacySettings> => erasures.policy();
  return {
    ...options,
    now: options.now ?? (() => new Date()),
    malformed: new MalformedData(),
    printerRef: { id: options.printerId },
    printerName,
    privacyForWrites,
    erasures,
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
