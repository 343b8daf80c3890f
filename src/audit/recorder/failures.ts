/** What a failed attempt tells its run record: a short description, and whether it left derived rows pending. */
import { GraphError } from "../../graph/graphError";
import { AuditIncompleteError, DerivedRowsPendingError } from "../../errors";

/** A short, personal-data-free description of a failure, for run records and logs. */
export function describeFailure(error: unknown): string {
  if (error instanceof DerivedRowsPendingError) return describeFailure(error.cause);
  if (error instanceof GraphError) {
    // A 403's advice (which roles the token lacks) is added by auditPrinter, which knows the app's token.
    return `${error.kind} ${error.statusCode ?? "-"} ${error.code}: ${error.message}`.slice(0, 1000);
  }
  const e = error as { name?: string; message?: string; statusCode?: number; code?: string };
  return `${e?.name ?? "Error"}${e?.statusCode ? ` ${e.statusCode}` : ""}${e?.code ? ` ${e.code}` : ""}: ${e?.message ?? String(error)}`.slice(
    0,
    1000,
  );
}

/** Whether a failure came between writing history rows and the rows derived from them (the events feed waits for those). */
export function leftDerivedRowsPending(error: unknown): boolean {
  return error instanceof DerivedRowsPendingError;
}

/** The Graph failure behind an attempt's failure: the error itself, or the job read that left the run incomplete. */
export function graphFailureOf(error: unknown): GraphError | undefined {
  if (error instanceof GraphError) return error;
  if (error instanceof AuditIncompleteError && error.cause instanceof GraphError) return error.cause;
  return undefined;
}
