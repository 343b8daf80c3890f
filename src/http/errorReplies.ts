/**
 * How a thrown error becomes an HTTP answer. Loaded on a route's first call with its room (the composition
 * root), not at start: it knows the Graph client's errors, and loading it loads the REST pipeline.
 */
import { type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { noGraphTokenMessage } from "../graph/credential";
import { GraphError } from "../graph/graphError";
import { graphAccessAdvice, type TokenRoles } from "../graph/tokenRoles";
import { ConfigError, DeadlineExceededError, InputError } from "../errors";
import { errorReply } from "./replies";

/** A Retry-After header value: Graph's pause in whole seconds, at least one; 10 s when Graph named none. */
function retryAfterHeader(ms: number | undefined): string {
  return String(Math.max(1, Math.ceil((ms ?? 10_000) / 1000)));
}

/** What a Graph failure means to an HTTP caller. `subject` names the thing asked for, e.g. "job 5182 on printer …". */
export function graphErrorReply(
  context: InvocationContext,
  error: GraphError,
  subject: string,
  tokenRoles?: TokenRoles,
): HttpResponseInit {
  const graphRequestId = error.requestId;
  switch (error.kind) {
    case "throttled":
      return errorReply(
        context,
        429,
        "throttled",
        `Microsoft Graph is throttling the app; try again after the Retry-After pause.`,
        { graphRequestId, headers: { "retry-after": retryAfterHeader(error.retryAfterInMs) } },
      );
    case "timeout":
      return errorReply(
        context,
        504,
        "graphTimeout",
        `Microsoft Graph did not answer in time for ${subject}; try again later.`,
        { graphRequestId },
      );
    case "network":
      return errorReply(
        context,
        503,
        "graphUnavailable",
        `Microsoft Graph could not be reached for ${subject}; try again later.`,
        { graphRequestId },
      );
    case "credential":
      return errorReply(context, 503, "managedIdentityUnavailable", noGraphTokenMessage(), {
        headers: { "retry-after": "30" },
      });
    case "invalidResponse":
      return errorReply(
        context,
        502,
        "graphInvalidResponse",
        `Microsoft Graph's answer for ${subject} could not be read.`,
        { graphRequestId },
      );
    case "graph":
      return graphStatusReply(context, error, subject, tokenRoles);
  }
}

/** What Graph's own error status means to an HTTP caller. */
function graphStatusReply(
  context: InvocationContext,
  error: GraphError,
  subject: string,
  tokenRoles: TokenRoles | undefined,
): HttpResponseInit {
  const { requestId: graphRequestId, statusCode: status = 502 } = error;
  if (status === 404) {
    return errorReply(
      context,
      404,
      "notFound",
      `Microsoft Graph has no ${subject}: the job or its printer/share does not exist, or the job has aged out.`,
      { graphRequestId },
    );
  }
  if (status === 403) {
    return errorReply(
      context,
      403,
      "graphAccessDenied",
      // Names the roles the app's own token lacks, how long a cached token takes to pick up a grant, and the restart.
      `Microsoft Graph denied the app's managed identity access to ${subject}. ${graphAccessAdvice(tokenRoles)}`,
      { graphRequestId },
    );
  }
  if (status === 401) {
    return errorReply(
      context,
      502,
      "graphUnauthorized",
      "Microsoft Graph rejected the app's token. Check that GRAPH_CLOUD matches the tenant's cloud and that the identity belongs to the tenant.",
      { graphRequestId },
    );
  }
  if (status === 400) {
    return errorReply(context, 400, "graphRejectedRequest", `Microsoft Graph refused the request: ${error.message}`, {
      graphRequestId,
    });
  }
  if (status === 503 || status === 504) {
    return errorReply(
      context,
      status,
      status === 503 ? "graphUnavailable" : "graphTimeout",
      `Microsoft Graph is unavailable (${status}); try again later.`,
      {
        graphRequestId,
        headers: error.retryAfterInMs !== undefined ? { "retry-after": retryAfterHeader(error.retryAfterInMs) } : {},
      },
    );
  }
  return errorReply(
    context,
    502,
    "graphError",
    `Microsoft Graph failed with ${status} (${error.code}) for ${subject}.`,
    { graphRequestId },
  );
}

/**
 * Any failure of a handler as an HTTP answer; unexpected errors are logged and answered without detail.
 * `tokenRoles`: the roles of the app's current Graph token, which a 403 names.
 */
export function replyToError(
  context: InvocationContext,
  error: unknown,
  subject: string,
  tokenRoles?: TokenRoles,
): HttpResponseInit {
  if (error instanceof InputError)
    return errorReply(context, 400, "badRequest", error.message, { target: error.target });
  if (error instanceof GraphError) {
    context.warn(
      `Graph call failed: kind=${error.kind} status=${error.statusCode ?? "-"} code=${error.code} graphRequestId=${error.requestId ?? "-"}`,
    );
    return graphErrorReply(context, error, subject, tokenRoles);
  }
  if (error instanceof DeadlineExceededError) {
    return errorReply(
      context,
      504,
      "timeout",
      `The request for ${subject} took longer than ${error.deadlineInMs} ms and was stopped; try again later.`,
    );
  }
  if (error instanceof ConfigError) {
    context.error(`Configuration error: ${error.message}`);
    return errorReply(context, 500, "configurationError", `The app is misconfigured: ${error.message}`);
  }
  context.error(`Unexpected failure: ${(error as Error)?.stack ?? String(error)}`);
  return errorReply(
    context,
    500,
    "internalError",
    "The app failed unexpectedly; the request id finds the details in its logs.",
  );
}
