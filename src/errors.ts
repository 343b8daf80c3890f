import { RestError, type PipelineResponse } from "@azure/core-rest-pipeline";

/**
 * Every error the app throws on purpose, in one place as @azure/functions keeps its own: each class ends in
 * `Error` and carries the stable `code` a caller branches on; messages say what to do, never a secret.
 */

/**
 * A value pasted into the wrong setting may be a connection string or a SAS URL; messages quote values,
 * so keys, signatures and URL passwords are blanked wherever they appear.
 */
export function redactSecrets(text: string): string {
  return (
    text
      .replace(
        /\b(AccountKey|SharedAccessKey|SharedAccessSignature|sig|password|pwd|client_secret)=[^;&\s"]*/gi,
        "$1=***",
      )
      // user:password@ in a URL, also when a shortened quote cut it before the @ (a bare port stays).
      .replace(/(\/\/[^/\s:@"]*):([^@\s/"]+)(?=@|"|$)/g, (whole, head: string, password: string) =>
        /^\d+$/.test(password) ? whole : `${head}:***`,
      )
  );
}

/** A setting is missing or wrong; the message names it and never shows a secret it quotes. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "configurationError";
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`Setting ${setting}: ${redactSecrets(message)}`);
  }
}

/** A caller's input that the app refuses, with the part of the request that is wrong. */
export class InputError extends Error {
  override readonly name = "InputError";
  readonly code = "badRequest";
  constructor(
    /** What part is wrong, e.g. "printerId", "$select", "query". */
    readonly target: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What went wrong with a Graph call, as a caller branches on it.
 * - graph: Graph answered with an error status (see statusCode and code)
 * - throttled: Graph still throttles after the retries, or asked for a longer pause than the caller may wait
 * - timeout: no answer within the time allowed
 * - network: Graph could not be reached, or the connection broke
 * - credential: the managed identity (or developer credential) could not get a token
 * - invalidResponse: Graph's answer could not be read (not JSON, cut short)
 */
export type GraphErrorKind = "graph" | "throttled" | "timeout" | "network" | "credential" | "invalidResponse";

export interface GraphErrorOptions {
  kind: GraphErrorKind;
  statusCode?: number;
  /** Graph's own error code (e.g. itemNotFound, accessDenied), or one of ours for non-Graph failures. */
  code: string;
  requestId?: string;
  retryAfterInMs?: number;
  cause?: unknown;
}

/** A Graph call failed: a RestError with Graph's code, the kind of failure and Graph's request id. */
export class GraphError extends RestError {
  override readonly name = "GraphError";
  readonly kind: GraphErrorKind;
  readonly requestId?: string;
  readonly retryAfterInMs?: number;
  override readonly code: string;

  constructor(message: string, options: GraphErrorOptions) {
    super(message, { code: options.code, statusCode: options.statusCode });
    // RestError resets the prototype to its own; restore the subclass's so instanceof works.
    Object.setPrototypeOf(this, new.target.prototype);
    this.kind = options.kind;
    this.code = options.code;
    this.requestId = options.requestId;
    this.retryAfterInMs = options.retryAfterInMs;
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** Thrown inside the Graph pipeline (not a RestError, so the retry policy lets it through) when a pause is too long. */
export class RetryAfterTooLongError extends Error {
  override readonly name = "RetryAfterTooLongError";
  readonly code = "retryAfterTooLong";
  constructor(readonly response: PipelineResponse) {
    super("Retry-After longer than the caller may wait");
  }
}

/** An HTTP caller's time ran out; the work was told to stop. */
export class DeadlineExceededError extends Error {
  override readonly name = "DeadlineExceededError";
  readonly code = "timeout";
  constructor(readonly deadlineInMs: number) {
    super(`Deadline of ${deadlineInMs} ms exceeded`);
  }
}

/** What one printer's audit run counted: its run row keeps them, and an incomplete run carries them. */
export interface AuditRunCounts {
  printerName?: string;
  jobsSeen: number;
  /** Jobs read one by one (in $batch) for their tasks. */
  jobsFetched: number;
  /** Job history rows written (one per new observed state). */
  changesWritten: number;
  taskRowsWritten: number;
  pages: number;
  /** Jobs that could not be read this time; their current state did not move, so the next run records them. */
  errors: number;
  lastError?: string;
  malformedFields: number;
}

/** Thrown after a printer's audit when some jobs could not be read: the host retries the message. */
export class AuditIncompleteError extends Error {
  override readonly name = "AuditIncompleteError";
  readonly code = "auditIncomplete";
  /** What the run did record: the run row keeps its counts. */
  readonly result: AuditRunCounts;
  constructor(message: string, options: { result: AuditRunCounts }) {
    super(message);
    this.result = options.result;
  }
}

/** An audit queue message that is not one of ours: dropped, never retried. */
export class AuditMessageError extends Error {
  override readonly name = "AuditMessageError";
  readonly code = "invalidAuditMessage";
}

/** Another run changed a current-state row between our read and our write (two runs of one printer at once). */
export class CurrentStateConflictError extends Error {
  override readonly name = "CurrentStateConflictError";
  readonly code = "currentStateConflict";
}

/** Thrown when AUDIT_REDACT_USERS=hash and no pseudonym key is at hand. */
export class PseudonymKeyMissingError extends Error {
  override readonly name = "PseudonymKeyMissingError";
  readonly code = "pseudonymKeyUnavailable";
  constructor() {
    super(
      "Setting AUDIT_HASH_KEY: AUDIT_REDACT_USERS=hash needs the pseudonym key, and none is available; nothing was recorded in clear instead.",
    );
  }
}

/** The pseudonym key could not be read or created: a stable code and what to do, never the key. */
export class PseudonymKeyUnavailableError extends Error {
  override readonly name = "PseudonymKeyUnavailableError";
  readonly code = "pseudonymKeyUnavailable";
}
