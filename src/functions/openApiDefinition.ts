import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { apiBaseUrl } from "../http/links";
import { jsonReply, replyHeaders, replyToError } from "../http/replies";
import { logCall } from "../http/trace";
import { buildOpenApiDefinition, definitionOptionsFor } from "../openapi/definition";

/** The OpenAPI 2.0 definition, naming the host it is reached at, for Power Automate's "import from URL". */
export async function getOpenApiDefinition(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const started = Date.now();
  const subject = { operation: "GetOpenApiDefinition" };
  try {
    const definition = buildOpenApiDefinition(definitionOptionsFor(apiBaseUrl(request)));
    return logCall(
      context,
      subject,
      {
        ...jsonReply(context, 200, definition),
        headers: { ...replyHeaders(context), "cache-control": "public, max-age=300" },
      },
      started,
    );
  } catch (error) {
    return logCall(context, subject, replyToError(context, error, "the OpenAPI definition"), started);
  }
}

app.http("getOpenApiDefinition", {
  route: "openapi.json",
  methods: ["GET"],
  // The definition holds no data; Entra sign-in excludes this path too (infra: globalValidation.excludedPaths).
  authLevel: "anonymous",
  handler: getOpenApiDefinition,
});
