import { isRestError } from "@azure/core-rest-pipeline";
import { RetryAfterTooLongError } from "../errors";
import { GraphError } from "./graphError";
import { isCredentialError, noGraphTokenMessage } from "./credential";
import { graphErrorFromResponse } from "./errorResponse";

/**
 * A Graph call that ended without an answer to read (timeout, no token, network, a pause too long) as the
 * GraphError a caller branches on; `what` names the call ("GET /print/printers/{id}") for the message.
 */
export function graphErrorFromFailure(error: unknown, what: string, abortSignal?: AbortSignal): GraphError {
  if (error instanceof GraphError) return error;
  if (error instanceof RetryAfterTooLongError) return graphErrorFromResponse(error.response, what);
  if (abortSignal?.aborted || (error as { name?: string })?.name === "AbortError") {
    return new GraphError(`Microsoft Graph did not answer ${what} in the time allowed.`, {
      kind: "timeout",
      code: "timeout",
      cause: error,
    });
  }
  if (isCredentialError(error)) {
    return new GraphError(noGraphTokenMessage((error as Error).name), {
      kind: "credential",
      code: "credentialUnavailable",
      cause: error,
    });
  }
  if (isRestError(error)) {
    if (error.code === "ETIMEDOUT") {
      return new GraphError(`Microsoft Graph did not answer ${what} in time, after retries.`, {
        kind: "timeout",
        code: "timeout",
        cause: error,
      });
    }
    return new GraphError(
      `Microsoft Graph could not be reached for ${what} (${error.code ?? "network error"}), after retries.`,
      { kind: "network", code: error.code ?? "networkError", cause: error },
    );
  }
  return new GraphError(`Calling Microsoft Graph failed for ${what}: ${(error as Error)?.message ?? String(error)}`, {
    kind: "network",
    code: "requestFailed",
    cause: error,
  });
}
