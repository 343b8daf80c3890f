/** The OpenAPI definition the connector is imported from, built for the host it is reached at. */
import { type InvocationContext } from "@azure/functions";
import { replyToError } from "../http/errorReplies";
import { buildOpenApiDefinition, definitionOptionsFor } from "../openapi/definition";
import { type Schema } from "../openapi/schema";

export interface OpenApiRoom {
  /** The definition naming this base's host, basePath and scheme; shared between calls and frozen: read it only. */
  definition(apiBaseUrl: string): Readonly<Schema>;
  replyToError(context: InvocationContext, error: unknown, subject: string): ReturnType<typeof replyToError>;
}

/** Freezes the value and everything in it. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export function createOpenApiRoom(): OpenApiRoom {
  // Only the host, basePath and scheme differ between calls; the rest (operations, schemas, parameters, each summary
  // title-cased) is built once, on the first call, instead of on every one. Frozen, so no call changes the next one's.
  let built: Schema | undefined;
  return {
    definition: (apiBaseUrl) => {
      const here = definitionOptionsFor(apiBaseUrl);
      built ??= deepFreeze(buildOpenApiDefinition(here));
      return { ...built, host: here.host, basePath: here.basePath, schemes: here.schemes };
    },
    replyToError: (context, error, subject) => replyToError(context, error, subject),
  };
}
