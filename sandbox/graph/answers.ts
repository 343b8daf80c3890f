/** What the simulator answers, in Graph's wire format: the service's host, JSON bodies, and Graph's error bodies. */

export const graphHost = "https://graph.microsoft.com";

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw text instead of JSON. */
  raw?: string;
}

export function graphError(status: number, code: string, message: string, headers?: Record<string, string>): Answer {
  return {
    status,
    headers,
    body: { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19) } } },
  };
}

/** Graph puts the request's ids in every error's innerError. */
export function withRequestId(body: unknown, requestId: string): unknown {
  const error = (body as { error?: { innerError?: Record<string, unknown> } }).error;
  if (error?.innerError)
    error.innerError = { ...error.innerError, "request-id": requestId, "client-request-id": requestId };
  return body;
}

export function accessDenied(): Answer {
  return graphError(
    403,
    "accessDenied",
    "Either the signed-in user or the app does not have the required permissions to access this resource.",
  );
}

export function appOnlyNotSupported(): Answer {
  return graphError(
    403,
    "accessDenied",
    "Application permissions are not supported for this API. Use delegated permissions.",
  );
}

export function notFound(): Answer {
  return graphError(404, "itemNotFound", "The requested resource was not found.");
}
