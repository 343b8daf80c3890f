/** The OpenAPI definition the connector is imported from, built for the host it is reached at. */
import { type InvocationContext } from "@azure/functions";
import { replyToError } from "../http/errorReplies";
import { buildOpenApiDefinition, definitionOptionsFor } from "../openapi/definition";

export interface OpenApiRoom {
  definition(apiBaseUrl: string): ReturnType<typeof buildOpenApiDefinition>;
  replyToError(context: InvocationContext, error: unknown, subject: string): ReturnType<typeof replyToError>;
}

export function createOpenApiRoom(): OpenApiRoom {
  return {
    definition: (apiBaseUrl) => buildOpenApiDefinition(definitionOptionsFor(apiBaseUrl)),
    replyToError: (context, error, subject) => replyToError(context, error, subject),
  };
}
