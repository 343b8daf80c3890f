/** The error answer every operation can give: { error: { code, message, ... } }. */
import { ref, text, type Schema } from "../schema";

export const errorDefinitions: Record<string, Schema> = {
  ErrorDetail: {
    type: "object",
    additionalProperties: false,
    required: ["code", "message"],
    properties: {
      code: text(
        "Error code",
        "What went wrong, for a flow to branch on: badRequest, notFound, graphAccessDenied, throttled, completionTimeout, timeout, " +
          "graphUnavailable, graphTimeout, graphError, managedIdentityUnavailable, configurationError, internalError and others.",
      ),
      message: text("Error message", "What to do about it, for a person."),
      target: text("Error target", "The part of the request that is wrong, e.g. printerId, timeout."),
      requestId: text("Request ID", "This call's id (also the x-request-id header); finds its log lines."),
      graphRequestId: text("Graph request ID", "Microsoft Graph's request-id, for Microsoft support."),
      lastState: text("Last job state", "With completionTimeout: the job's state when the wait gave up."),
    },
  },
  Error: {
    type: "object",
    description: "An error answer.",
    additionalProperties: false,
    required: ["error"],
    properties: { error: ref("ErrorDetail") },
  },
};
