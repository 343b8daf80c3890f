import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { type OpenApiRoom } from "../composition/openApiRoom";
import { openApiRoom } from "../composition/rooms";
import { apiBaseUrl } from "../http/links";
import { jsonReply, replyHeaders } from "../http/replies";
import { traced, type TracedCall } from "../http/tracedHandler";

/** The OpenAPI 2.0 definition, naming the host it is reached at, for Power Automate's "import from URL". */
export async function getOpenApiDefinition(
  request: HttpRequest,
  context: InvocationContext,
  _call: TracedCall,
  openApi: OpenApiRoom,
): Promise<HttpResponseInit> {
  const definition = openApi.definition(apiBaseUrl(request));
  return {
    ...jsonReply(context, 200, definition),
    headers: { ...replyHeaders(context), "cache-control": "public, max-age=300" },
  };
}

app.http("getOpenApiDefinition", {
  route: "openapi.json",
  methods: ["GET"],
  // The definition holds no data; Entra sign-in excludes this path too (infra: globalValidation.excludedPaths).
  authLevel: "anonymous",
  handler: traced(getOpenApiDefinition, {
    operation: "GetOpenApiDefinition",
    subject: "the OpenAPI definition",
    room: openApiRoom,
  }),
});
