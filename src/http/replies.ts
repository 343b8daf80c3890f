import { type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { type ErrorBody } from "../contract/errorBody";

/** A JSON error answer: `{ "error": { "code", "message", "requestId" } }`, with the request id header too. */
export function errorReply(
  context: InvocationContext,
  status: number,
  code: string,
  message: string,
  extra: { target?: string; graphRequestId?: string; lastState?: string; headers?: Record<string, string> } = {},
): HttpResponseInit {
  const body: ErrorBody = {
    error: {
      code,
      message,
      ...(extra.target ? { target: extra.target } : {}),
      requestId: context.invocationId,
      ...(extra.graphRequestId ? { graphRequestId: extra.graphRequestId } : {}),
      ...(extra.lastState ? { lastState: extra.lastState } : {}),
    },
  };
  return { status, jsonBody: body, headers: { ...replyHeaders(context), ...extra.headers } };
}

/** Headers of every answer; nosniff keeps a browser from reading a JSON or CSV answer that holds recorded text as HTML or script. */
export function replyHeaders(context: InvocationContext): Record<string, string> {
  return { "x-request-id": context.invocationId, "cache-control": "no-store", "x-content-type-options": "nosniff" };
}

export function jsonReply(
  context: InvocationContext,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponseInit {
  return { status, jsonBody: body, headers: { ...replyHeaders(context), ...headers } };
}
