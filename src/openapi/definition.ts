/**
 * The OpenAPI 2.0 definition of every HTTP operation of the app (Power Automate custom connectors accept
 * only 2.0). One document, assembled here from its schemas, parameters and operations: GET /api/openapi.json
 * serves it, `npm run connector:export` writes it to connector/, and the tests validate every answer they
 * receive against it, so code and definition move together.
 */
import { securityFor, type ConnectorAuth } from "./connectorAuth";
import { paths } from "./operations";
import { parameters } from "./parameters";
import { type Schema } from "./schema";
import { definitions } from "./schemas";
import { withTitleCaseSummaries } from "./titleCase";

export interface DefinitionOptions {
  /** Host (and port) without scheme, e.g. func-x.azurewebsites.net. */
  host: string;
  /** Path before the routes; default /api. */
  basePath?: string;
  /** Default ["https"]. */
  schemes?: string[];
  /** How a connection signs in; default the function key. */
  auth?: ConnectorAuth;
}

/** The host the exported connector carries until the maker sets their function app's. */
export const connectorHostPlaceholder = "your-function-app.azurewebsites.net";

export const operationIds = [
  "GetPrinterJob",
  "GetShareJob",
  "WaitForPrinterJob",
  "WaitForShareJob",
  "GetJobAuditTimeline",
  "ListAuditJobs",
  "GetOpenApiDefinition",
  "ListAuditEvents",
  "ListAuditedPrinters",
  "OnPrintJobFinished",
  "OnPrinterFailing",
  "EraseAuditUser",
  "GetAuditErasure",
  "VerifyAuditIntegrity",
  "GetAuditIntegrityCheck",
  "GetAuditSummaries",
] as const;
export type OperationId = (typeof operationIds)[number];

export function buildOpenApiDefinition(options: DefinitionOptions): Schema {
  return {
    swagger: "2.0",
    info: {
      title: "Universal Print Jobs",
      version: "1.0",
      description:
        "Read Microsoft Universal Print jobs with the function app's managed identity, wait for a job to finish, and read the job audit.",
      contact: { name: "Universal Print Jobs maintainers" },
      license: { name: "MIT", url: "https://opensource.org/license/mit" },
    },
    host: options.host,
    basePath: options.basePath ?? "/api",
    schemes: options.schemes ?? ["https"],
    consumes: [],
    produces: ["application/json"],
    paths: withTitleCaseSummaries(paths),
    definitions: withTitleCaseSummaries(definitions),
    parameters: withTitleCaseSummaries(parameters),
    ...securityFor(options.auth ?? { kind: "key" }),
    tags: [
      { name: "Audit", description: "The job history the app recorded in Azure Table Storage." },
      { name: "Meta", description: "About the API itself." },
      { name: "Print jobs", description: "Live jobs from Microsoft Graph." },
    ],
    "x-ms-connector-metadata": [
      { propertyName: "Website", propertyValue: "https://learn.microsoft.com/universal-print/" },
      { propertyName: "Categories", propertyValue: "IT Operations;Productivity" },
    ],
  };
}

/** The host, basePath and scheme the definition should name for an API reached at this base (e.g. https://x/api). */
export function definitionOptionsFor(apiBaseUrl: string): DefinitionOptions {
  const url = new URL(apiBaseUrl);
  return {
    host: url.host,
    basePath: url.pathname.replace(/\/+$/, "") || "/",
    schemes: [url.protocol.replace(":", "")],
  };
}
