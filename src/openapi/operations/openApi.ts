/** This definition itself, served anonymously for Power Automate's "import from URL". */
import { type Schema } from "../schema";
import { answer } from "./responses";

export const openApiPaths: Record<string, Record<string, Schema>> = {
  "/openapi.json": {
    get: {
      operationId: "GetOpenApiDefinition",
      summary: "Get the OpenAPI definition",
      description: "This definition, with the host it is served from. Anonymous: it holds no data.",
      "x-ms-visibility": "internal",
      tags: ["Meta"],
      security: [],
      produces: ["application/json"],
      responses: { "200": answer("The OpenAPI 2.0 definition.", { type: "object" }) },
    },
  },
};
