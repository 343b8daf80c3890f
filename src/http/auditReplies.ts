import { type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { isRestError } from "@azure/core-rest-pipeline";
import { errorReply, replyToError } from "./replies";
import { GraphError, PseudonymKeyMissingError, PseudonymKeyUnavailableError } from "../errors";

/** Table answers that say the request itself was wrong: trying again cannot help. */
const refusedStatuses = new Set([400, 413, 414]);

/**
 * Failures of the audit's read routes: the audit tables unreachable or busy is a 503 the caller can retry
 * (the details, status and code only, go to the log); the tables refusing the query as built is this app's
 * bug, a 500 to report, never a retry; anything else as every route answers it.
 */
export function auditReplyToError(context: InvocationContext, error: unknown, subject: string): HttpResponseInit {
  if (isRestError(error) && !(error instanceof GraphError) && refusedStatuses.has(error.statusCode ?? 0)) {
    context.error(
      `Audit tables refused the query for ${subject}: status=${error.statusCode} code=${error.code ?? "-"}`,
    );
    return errorReply(
      context,
      500,
      "auditQueryRefused",
      "The audit tables refused the query this app built (a bug of the app, not of the request); report it with the request id.",
    );
  }
  if (isRestError(error) && !(error instanceof GraphError)) {
    context.warn(`Audit tables failed for ${subject}: status=${error.statusCode ?? "-"} code=${error.code ?? "-"}`);
    return errorReply(
      context,
      503,
      "auditStoreUnavailable",
      "The audit tables could not be read just now; try again later.",
      { headers: { "retry-after": "10" } },
    );
  }
  if (error instanceof PseudonymKeyUnavailableError || error instanceof PseudonymKeyMissingError) {
    context.warn(`Pseudonym key unavailable for ${subject}: ${error.message}`);
    return errorReply(context, 503, error.code, error.message, { headers: { "retry-after": "60" } });
  }
  return replyToError(context, error, subject);
}
