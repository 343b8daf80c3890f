/**
 * Universal Print resources as Microsoft Graph v1.0 sends them (wire format).
 * Every property may be missing or null in practice: the docs' own examples send `createdBy: {}`.
 * Enumerations are open: Graph adds members (`unknownFutureValue`, new states), so they stay strings.
 */

export type PrintJobProcessingState =
  | "unknown"
  | "pending"
  | "processing"
  | "paused"
  | "stopped"
  | "completed"
  | "canceled"
  | "aborted"
  | "unknownFutureValue"
  | (string & {});

export type PrintTaskProcessingState =
  "pending" | "processing" | "completed" | "aborted" | "unknownFutureValue" | (string & {});

/** Job states after which no further processing takes place. */
const terminalJobStates: ReadonlySet<string> = new Set(["completed", "canceled", "aborted"]);

export function isTerminalJobState(state: string | null | undefined): boolean {
  return state != null && terminalJobStates.has(state);
}

export interface UserIdentity {
  id?: string | null;
  displayName?: string | null;
  userPrincipalName?: string | null;
  ipAddress?: string | null;
}

export interface PrintJobStatus {
  state?: PrintJobProcessingState | null;
  description?: string | null;
  details?: string[] | null;
  isAcquiredByPrinter?: boolean | null;
}

export interface IntegerRange {
  start?: number | null;
  end?: number | null;
}

export interface PrintMargin {
  top?: number | null;
  bottom?: number | null;
  left?: number | null;
  right?: number | null;
}

export interface PrintJobConfiguration {
  collate?: boolean | null;
  colorMode?: string | null;
  copies?: number | null;
  dpi?: number | null;
  duplexMode?: string | null;
  feedOrientation?: string | null;
  finishings?: string[] | null;
  fitPdfToPage?: boolean | null;
  inputBin?: string | null;
  margin?: PrintMargin | null;
  mediaSize?: string | null;
  mediaType?: string | null;
  multipageLayout?: string | null;
  orientation?: string | null;
  outputBin?: string | null;
  pageRanges?: IntegerRange[] | null;
  pagesPerSheet?: number | null;
  quality?: string | null;
  scaling?: string | null;
}

export interface PrintDocument {
  id?: string | null;
  displayName?: string | null;
  contentType?: string | null;
  size?: number | null;
  uploadedDateTime?: string | null;
  downloadedDateTime?: string | null;
}

export interface PrintTaskStatus {
  state?: PrintTaskProcessingState | null;
  description?: string | null;
}

export interface PrintTask {
  id?: string | null;
  parentUrl?: string | null;
  status?: PrintTaskStatus | null;
}

export interface PrintJob {
  "@odata.context"?: string;
  id?: string | null;
  createdDateTime?: string | null;
  createdBy?: UserIdentity | null;
  status?: PrintJobStatus | null;
  configuration?: PrintJobConfiguration | null;
  isFetchable?: boolean | null;
  redirectedFrom?: string | null;
  redirectedTo?: string | null;
  errorCode?: number | null;
  acknowledgedDateTime?: string | null;
  documents?: PrintDocument[] | null;
  tasks?: PrintTask[] | null;
  [property: string]: unknown;
}

export interface Printer {
  id?: string | null;
  displayName?: string | null;
  manufacturer?: string | null;
  model?: string | null;
  isShared?: boolean | null;
  location?: Record<string, unknown> | null;
  status?: { state?: string | null; details?: string[] | null; description?: string | null } | null;
  [property: string]: unknown;
}

/** A Graph collection page. */
export interface GraphPage<T> {
  value: T[];
  "@odata.nextLink"?: string;
}
