import { type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { isRestError } from "@azure/core-rest-pipeline";
import { replyToError } from "./errorReplies";
import { errorReply } from "./replies";
import { PseudonymKeyMissingError, PseudonymKeyUnavailableError } from "../errors";
import { GraphError } from "../graph/graphError";
import { type TokenRoles } from "../graph/tokenRoles";

/**
 * Failures of the audit's read routes: the audit tables unreachable or refusing is a 503 the caller can
 * retry (the details, status and code only, go to the log); anything else as every route answers it.
 */
export function auditReplyToError(
  context: InvocationContext,
  error: unknown,
  subject: string,
  tokenRoles?: TokenRoles,
): HttpResponseInit {
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
  return replyToError(context, error, subject, tokenRoles);
}
