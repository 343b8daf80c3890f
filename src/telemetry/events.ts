/**
 * The app's named telemetry events and their dimensions: what the workbook, the query pack and the alert
 * rules read (infra/workbook, infra/modules/monitoring-queries.bicep, infra/modules/alerts.bicep). Every
 * event carries every one of its dimensions, so a query never meets a missing column. Ids, counts,
 * durations and codes only: no person, document name, token or key; printer ids and names are allowed.
 */

/** An audit run opened by the timer: one message per printer queued. */
export interface AuditRunStarted {
  runId: string;
  /** queued, nothingToAudit */
  outcome: string;
  printersQueued: number;
  /** Where the printer list came from: setting, discovered, setting+discovered. */
  source: string;
  pastDue: boolean;
  durationMs: number;
}

/** One printer's run (one delivery of its queue message), succeeded or failed. */
export interface PrinterAudited {
  runId: string;
  printerId: string;
  printerName: string;
  attempt: number;
  /** succeeded, failed */
  outcome: string;
  /** Why it failed (failureReason): graph403, throttled, timeout, storage503, auditIncomplete, ...; "" on success. */
  reason: string;
  /** Graph application roles the app's token lacked when Graph answered 403, comma-separated; "" otherwise. */
  missingRoles: string;
  jobsSeen: number;
  jobsFetched: number;
  changesWritten: number;
  graphRequests: number;
  graphThrottled: number;
  graphForbidden: number;
  graphLatencyMs: number;
  graphMaxLatencyMs: number;
  durationMs: number;
}

/** One call of get-job (through a printer or a share) or of the wait for a job. */
export interface GetJobCalled {
  /** GetPrinterJob, GetShareJob, WaitForPrintJob */
  operation: string;
  printerId: string;
  shareId: string;
  status: number;
  /** ok, pending, or the answer's error code */
  outcome: string;
  /** printer, share, printer-via-share: the Graph path that served the job; "" when none did. */
  path: string;
  /** connector (Power Platform: Power Automate, Logic Apps, Power Apps) or http */
  caller: string;
  graphRequests: number;
  graphThrottled: number;
  graphLatencyMs: number;
  durationMs: number;
}

/** One poll of a connector trigger. */
export interface TriggerPolled {
  /** OnPrintJobFinished, OnPrinterFailing */
  trigger: string;
  status: number;
  /** Events handed to the flow by this poll (0 on a 202). */
  eventsDelivered: number;
  /** The first poll of a new flow (no cursor yet). */
  firstPoll: boolean;
  caller: string;
  durationMs: number;
}

/** A person's erasure request, carried out (or resumed). The person is never named. */
export interface AuditErasure {
  erasureId: string;
  /** completed, running, failed, ... as the erasure row says */
  status: string;
  rowsChanged: number;
  durationMs: number;
}

/** A pass of the redaction that rewrites rows recorded under a laxer privacy setting or an older key. */
export interface RedactionPass {
  runId: string;
  /** succeeded, continuing, failed */
  outcome: string;
  reason: string;
  rowsRewritten: number;
  jobsRewritten: number;
  rowsScanned: number;
  passes: number;
  durationMs: number;
}

/** A check of the audit's integrity (GET /api/audit/integrity, or its background check of a longer range). */
export interface IntegrityVerified {
  /** intact, broken (a finding), failed (the check could not finish) */
  outcome: string;
  /** The UTC days checked, YYYY-MM-DD (`from` and `to` are KQL keywords, hence the names). */
  fromDay: string;
  toDay: string;
  rowsChecked: number;
  linksChecked: number;
  /** Findings by kind: rows altered, missing, or slipped in. */
  alteredRows: number;
  missingRows: number;
  unexpectedRows: number;
  rowsRemovedByRetention: number;
  durationMs: number;
}

export interface TelemetryEvents {
  AuditRunStarted: AuditRunStarted;
  PrinterAudited: PrinterAudited;
  GetJobCalled: GetJobCalled;
  TriggerPolled: TriggerPolled;
  AuditErasure: AuditErasure;
  RedactionPass: RedactionPass;
  IntegrityVerified: IntegrityVerified;
}

export type TelemetryEventName = keyof TelemetryEvents;
