/**
 * The audit read API's answers, one definition each: src/audit writes them, the viewer reads them. Types
 * only, so the server and the browser bundle can both import this file.
 */

/** A recorded row as the API answers it: the audit tables' column names and the values recorded. */
export type AuditRow = Record<string, unknown>;

/** GET /audit/jobs as JSON: one page of rows, and the token of the next page while there is one. */
export interface HistoryPage {
  value: AuditRow[];
  continuationToken?: string;
}

/** GET /audit/printers/{printerId}/jobs/{jobId}: a job's recorded states and task states, oldest first. */
export interface JobTimeline {
  printerId: string;
  jobId: string;
  printerName: string | null;
  current: AuditRow;
  states: AuditRow[];
  tasks: AuditRow[];
}

/** GET /audit/summaries: the daily summaries of a range of UTC days. */
export interface SummaryAnswer {
  from: string;
  to: string;
  timeZone: "UTC";
  /** Jobs created in the range, each once, in its latest recorded state. */
  jobs: number;
  /** The states seen, most usual order first. */
  states: string[];
  days: { day: string; jobs: number; states: Record<string, number> }[];
  printers: {
    printerId: string;
    printerName: string | null;
    jobs: number;
    aborted: number;
    canceled: number;
    states: Record<string, number>;
  }[];
  /** The busiest people as recorded (UPN or id, or pseudonyms); [] when the audit records no users. */
  users: { user: string; jobs: number }[];
  usersRecorded: boolean;
}
