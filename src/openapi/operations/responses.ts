/** The headers and answers operations share: the request id on every answer, the errors every function can give. */
import { requiredGraphPermissions } from "../../graph/permissions";
import { ref, type Schema } from "../schema";

export const requestIdHeader = {
  "x-request-id": { type: "string", description: "This call's id; it appears in the app's logs." },
};
export const graphRequestIdHeader = {
  "x-graph-request-id": { type: "string", description: "Microsoft Graph's request-id." },
};
export const jobPathHeader = {
  "x-print-job-path": {
    type: "string",
    enum: ["printer", "share", "printer-via-share"],
    description:
      "The Graph path that served the job: printer, share, or printer-via-share when Graph refused the share path to the app and the share's printer was read instead.",
  },
};
export const retryAfterHeader = {
  "retry-after": { type: "integer", description: "Seconds to wait before trying again." },
};

/** The headers of a "not yet" answer (202): where to poll next, and when. */
export const pollHeaders = (location: string): Record<string, Schema> => ({
  location: { type: "string", description: location },
  ...retryAfterHeader,
  ...requestIdHeader,
});

/** A success answer with its body's schema. */
export const answer = (description: string, schema: Schema): Schema => ({
  description,
  schema,
  headers: requestIdHeader,
});

export const jobResponse = (description: string): Schema => ({
  description,
  schema: ref("PrintJob"),
  headers: { ...requestIdHeader, ...graphRequestIdHeader, ...jobPathHeader },
});

export const errorResponse = (description: string, headers: Record<string, Schema> = {}): Schema => ({
  description,
  schema: ref("Error"),
  headers: { ...requestIdHeader, ...headers },
});

/** Answers every function operation can give besides its successes. */
export const commonErrors: Record<string, Schema> = {
  "400": errorResponse("The request is invalid; error.target names the part."),
  "401": {
    description:
      "The function key (x-functions-key) or the Entra token is missing or wrong. Answered by the platform, with no body.",
  },
  "403": errorResponse(`Microsoft Graph denied the app's managed identity (grant ${requiredGraphPermissions}).`),
  "404": errorResponse("No such job, printer or share."),
  "429": errorResponse("Microsoft Graph is throttling the app; retry after Retry-After.", retryAfterHeader),
  "500": errorResponse("The app failed or is misconfigured."),
  "502": errorResponse("Microsoft Graph failed or answered something unreadable."),
  "503": errorResponse("Microsoft Graph or the managed identity is unavailable; retry later.", retryAfterHeader),
  "504": errorResponse("Microsoft Graph did not answer in time."),
  default: errorResponse("An error."),
};
