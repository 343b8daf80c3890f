/**
 * Power Platform's rules for a connector, as checks every operation of src/openapi passes through (new
 * operations are checked without a line here). Sources, read from microsoft/PowerPlatformConnectors:
 * - schemas/apiDefinition.swagger.schema.json: the x-ms-* extensions' shapes (x-ms-visibility, x-ms-pageable
 *   whose nextLinkName says "use the policy template (id: updatenextlink)", x-ms-url-encoding, x-ms-summary).
 * - schemas/paconn-apiProperties.schema.json: connectionParameters, oAuthSettings (aad) and the
 *   policyTemplateInstances setheader and updatenextlink; schemas/tests/test_api_properties.py adds
 *   redirectMode GlobalPerConnector.
 * - certified-connectors/*: updatenextlink written as x-ms-apimTemplate-operationName +
 *   x-ms-apimTemplateParameter.nextLinkPropertyName (e.g. AzureAD, Microsoft 365 Lighthouse).
 * - The certification guidance's string rules: summaries at most 80 characters, no slash, no closing
 *   punctuation; descriptions are sentences ending with a period.
 * Our own encoding of those rules, not a copy of the schemas: each check returns problems, empty when clean.
 */
import { Document, Spectral } from "@stoplight/spectral-core";
import * as Parsers from "@stoplight/spectral-parsers";
import { oas } from "@stoplight/spectral-rulesets";
import Ajv from "ajv";
import { type Schema } from "../../src/openapi/schema";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Named maps in Swagger 2.0 whose keys are names (a property called "description" is a schema, not text). */
const namedMaps = new Set([
  "paths",
  "definitions",
  "parameters",
  "responses",
  "properties",
  "headers",
  "securityDefinitions",
]);

interface Visit {
  path: string;
  node: Json;
}

/** Every object node of the document with its JSON path, skipping the named maps' own level. */
function nodes(document: Json): Visit[] {
  const out: Visit[] = [];
  const walk = (value: unknown, path: string, named: boolean): void => {
    if (Array.isArray(value)) return value.forEach((item, i) => walk(item, `${path}[${i}]`, false));
    if (!isObject(value)) return;
    if (!named) out.push({ path, node: value });
    for (const [key, child] of Object.entries(value)) {
      if (named) walk(child, `${path}.${key}`, false);
      else if (
        key === "scopes" ||
        key === "enum" ||
        key === "example" ||
        key === "default" ||
        key === "x-ms-connector-metadata"
      )
        continue;
      else walk(child, `${path}.${key}`, namedMaps.has(key) && isObject(child));
    }
  };
  walk(document, "$", false);
  return out;
}

const closingPunctuation = /[.!?;:,)\]}…]$/;

/** The certification string rules over every operation, parameter, schema, response, header and tag. */
export function stringRuleProblems(definition: Schema): string[] {
  const problems: string[] = [];
  const summaryProblems = (path: string, text: unknown): void => {
    if (typeof text !== "string" || text.trim() === "")
      return void problems.push(`${path}: summary is missing or empty`);
    if (text.length > 80) problems.push(`${path}: summary ${JSON.stringify(text)} is longer than 80 characters`);
    if (text.includes("/")) problems.push(`${path}: summary ${JSON.stringify(text)} contains a slash`);
    if (closingPunctuation.test(text)) problems.push(`${path}: summary ${JSON.stringify(text)} ends with punctuation`);
  };
  // An operation is a method under paths; x-ms-dynamic-values also names an operationId but is a reference to one.
  const isOperation = (path: string, node: Json): boolean =>
    typeof node.operationId === "string" && path.startsWith("$.paths") && !path.endsWith("x-ms-dynamic-values");
  for (const { path, node } of nodes(definition as Json)) {
    if (isOperation(path, node)) summaryProblems(`${path}.summary`, node.summary);
    if ("x-ms-summary" in node) summaryProblems(`${path}.x-ms-summary`, node["x-ms-summary"]);
    if ("description" in node && typeof node.description === "string") {
      const text = node.description.trim();
      if (!text.endsWith("."))
        problems.push(`${path}.description ${JSON.stringify(text.slice(-40))} does not end with a period`);
    }
    if (isOperation(path, node) && typeof node.description !== "string")
      problems.push(`${path}: operation has no description`);
  }
  return problems;
}

/** In Swagger 2.0 every sibling of $ref is ignored: an x-ms-visibility or description there does nothing. */
export function refSiblingProblems(definition: Schema): string[] {
  return nodes(definition as Json)
    .filter(({ node }) => typeof node.$ref === "string" && Object.keys(node).length > 1)
    .map(
      ({ path, node }) =>
        `${path}: ${Object.keys(node)
          .filter((k) => k !== "$ref")
          .join(", ")} beside $ref is ignored`,
    );
}

/** The x-ms-* extensions' shapes, after schemas/apiDefinition.swagger.schema.json. */
export function extensionProblems(definition: Schema): string[] {
  const problems: string[] = [];
  for (const { path, node } of nodes(definition as Json)) {
    const visibility = node["x-ms-visibility"];
    if (visibility !== undefined && !["important", "advanced", "internal"].includes(visibility as string)) {
      problems.push(`${path}: x-ms-visibility ${JSON.stringify(visibility)} is not important, advanced or internal`);
    }
    const encoding = node["x-ms-url-encoding"];
    if (encoding !== undefined && !["single", "double"].includes(encoding as string))
      problems.push(`${path}: x-ms-url-encoding ${JSON.stringify(encoding)}`);
    const pageable = node["x-ms-pageable"];
    if (pageable !== undefined) {
      if (!isObject(pageable) || typeof pageable.nextLinkName !== "string" || Object.keys(pageable).length !== 1) {
        problems.push(`${path}: x-ms-pageable must be { nextLinkName: string } and nothing else`);
      }
    }
  }
  return problems;
}

/** Operations with x-ms-pageable, with the name of their next-link property. */
export function pageableOperations(definition: Schema): { operationId: string; nextLinkName: string; path: string }[] {
  const out: { operationId: string; nextLinkName: string; path: string }[] = [];
  for (const [path, methods] of Object.entries(definition.paths as Record<string, Record<string, Json>>)) {
    for (const op of Object.values(methods)) {
      const pageable = op["x-ms-pageable"] as { nextLinkName?: string } | undefined;
      if (pageable?.nextLinkName)
        out.push({ operationId: op.operationId as string, nextLinkName: pageable.nextLinkName, path });
    }
  }
  return out;
}

/**
 * Without an updatenextlink policy the connector hands Power Automate the absolute nextLink, which it then
 * calls outside the connection (no key: 401). Each pageable operation must be named by one such policy with
 * its nextLinkName, and its 200 schema must carry that property.
 */
export function pagingProblems(definition: Schema, apiProperties: Schema): string[] {
  const problems: string[] = [];
  const policies = (((apiProperties.properties as Json | undefined)?.policyTemplateInstances ?? []) as Json[]).filter(
    (p) => p.templateId === "updatenextlink",
  );
  for (const { operationId, nextLinkName, path } of pageableOperations(definition)) {
    const policy = policies.find((p) =>
      ((p.parameters as Json)["x-ms-apimTemplate-operationName"] as string[] | undefined)?.includes(operationId),
    );
    if (!policy) problems.push(`${operationId}: pageable, but no updatenextlink policy names it`);
    else if ((policy.parameters as Json)["x-ms-apimTemplateParameter.nextLinkPropertyName"] !== nextLinkName) {
      problems.push(`${operationId}: the updatenextlink policy rewrites another property than ${nextLinkName}`);
    }
    const op = (definition.paths as Record<string, Record<string, Json>>)[path]!;
    const ok = Object.values(op).find((o) => o.operationId === operationId)!.responses as Record<string, Json>;
    const ref = ((ok["200"]?.schema as Json | undefined)?.$ref as string | undefined)?.replace("#/definitions/", "");
    const schema = ref
      ? (definition.definitions as Record<string, Json>)[ref]
      : (ok["200"]?.schema as Json | undefined);
    if (!isObject(schema?.properties) || !(nextLinkName in (schema.properties as Json)))
      problems.push(`${operationId}: its 200 answer does not declare ${nextLinkName}`);
  }
  for (const policy of policies) {
    const names = ((policy.parameters as Json)["x-ms-apimTemplate-operationName"] ?? []) as string[];
    for (const name of names) {
      if (!pageableOperations(definition).some((p) => p.operationId === name))
        problems.push(`updatenextlink names ${name}, which is not a pageable operation`);
    }
  }
  return problems;
}

// The parts of schemas/paconn-apiProperties.schema.json this connector uses, as our own JSON Schema.
const uiDefinition = {
  type: "object",
  additionalProperties: false,
  properties: {
    displayName: { type: "string" },
    description: { type: "string" },
    tooltip: { type: "string" },
    tabIndex: { type: "integer" },
    constraints: {
      type: "object",
      additionalProperties: false,
      properties: {
        clearText: { type: "boolean" },
        required: { type: "string" },
        tabIndex: { type: "integer" },
        hidden: { type: "string" },
      },
    },
  },
};
const apiPropertiesSchema = {
  type: "object",
  required: ["properties"],
  additionalProperties: false,
  properties: {
    properties: {
      type: "object",
      required: ["iconBrandColor"],
      additionalProperties: false,
      properties: {
        iconBrandColor: { type: "string", pattern: "^#[0-9A-Fa-f]{6}$" },
        publisher: { type: "string" },
        stackOwner: { type: "string" },
        capabilities: { type: "array", items: { type: "string" } },
        connectionParameters: {
          type: "object",
          additionalProperties: false,
          patternProperties: {
            "^[0-9a-zA-Z_]+$": {
              oneOf: [
                {
                  type: "object",
                  required: ["type"],
                  additionalProperties: false,
                  properties: { type: { enum: ["string", "securestring", "int", "bool"] }, uiDefinition },
                },
                {
                  type: "object",
                  required: ["type", "oAuthSettings"],
                  additionalProperties: false,
                  properties: {
                    type: { const: "oauthSetting" },
                    uiDefinition,
                    oAuthSettings: {
                      type: "object",
                      required: ["identityProvider", "customParameters"],
                      additionalProperties: false,
                      properties: {
                        identityProvider: { const: "aad" },
                        clientId: { type: "string" },
                        scopes: { type: "array", items: { type: "string" } },
                        redirectMode: { enum: ["Global", "Direct", "GlobalPerConnector"] },
                        redirectUrl: { type: "string", pattern: "^https://" },
                        properties: {
                          type: "object",
                          required: ["IsFirstParty"],
                          properties: { IsFirstParty: { enum: ["True", "False"] } },
                        },
                        customParameters: {
                          type: "object",
                          required: ["resourceUri"],
                          additionalProperties: false,
                          properties: Object.fromEntries(
                            ["resourceUri", "loginUri", "tenantId"].map((k) => [
                              k,
                              { type: "object", required: ["value"], properties: { value: { type: "string" } } },
                            ]),
                          ),
                        },
                      },
                    },
                  },
                },
              ],
            },
          },
        },
        policyTemplateInstances: {
          type: "array",
          items: {
            oneOf: [
              {
                type: "object",
                required: ["templateId", "parameters"],
                additionalProperties: false,
                properties: {
                  templateId: { const: "setheader" },
                  title: { type: "string" },
                  parameters: {
                    type: "object",
                    required: ["x-ms-apimTemplateParameter.name", "x-ms-apimTemplateParameter.value"],
                    additionalProperties: false,
                    properties: {
                      "x-ms-apimTemplate-operationName": { type: "array", items: { type: "string" } },
                      "x-ms-apimTemplate-policySection": { enum: ["Request", "Response", "Failure"] },
                      "x-ms-apimTemplateParameter.name": { type: "string" },
                      "x-ms-apimTemplateParameter.value": { type: "string" },
                      "x-ms-apimTemplateParameter.existsAction": { enum: ["override", "skip", "append"] },
                    },
                  },
                },
              },
              {
                type: "object",
                required: ["templateId", "parameters"],
                additionalProperties: false,
                properties: {
                  templateId: { const: "updatenextlink" },
                  title: { type: "string" },
                  parameters: {
                    type: "object",
                    required: ["x-ms-apimTemplateParameter.nextLinkPropertyName"],
                    additionalProperties: false,
                    properties: {
                      "x-ms-apimTemplate-operationName": { type: "array", items: { type: "string" } },
                      "x-ms-apimTemplateParameter.nextLinkPropertyName": { type: "string" },
                      "x-ms-apimTemplateParameter.nextLinkParentPropertyPath": { type: "string" },
                    },
                  },
                },
              },
            ],
          },
        },
      },
    },
  },
};

const validateApiProperties = new Ajv({ allErrors: true, strict: false }).compile(apiPropertiesSchema);

/** apiProperties.json against the rules above, and no placeholder ("<...>", "your-") left in any value. */
export function apiPropertiesProblems(apiProperties: Schema): string[] {
  const problems = validateApiProperties(apiProperties)
    ? []
    : (validateApiProperties.errors ?? []).map(
        (e) => `${e.instancePath || "/"} ${e.message ?? "invalid"} ${JSON.stringify(e.params)}`,
      );
  const text = JSON.stringify(apiProperties);
  for (const match of text.matchAll(/"[^"]*(<[^>"]+>|\byour-[a-z]+)[^"]*"/gi))
    problems.push(`placeholder left: ${match[0]}`);
  return problems;
}

/** Every rule of this file over a connector's two files. */
export function connectorProblems(definition: Schema, apiProperties: Schema): string[] {
  return [
    ...stringRuleProblems(definition),
    ...refSiblingProblems(definition),
    ...extensionProblems(definition),
    ...pagingProblems(definition, apiProperties),
    ...apiPropertiesProblems(apiProperties),
  ];
}

export interface SpectralFinding {
  code: string;
  severity: "error" | "warning" | "info" | "hint";
  path: string;
  message: string;
}

/** Spectral's own OpenAPI ruleset (@stoplight/spectral-rulesets "oas", its OpenAPI 2.0 rules) over a definition. */
export async function spectralFindings(definition: Schema): Promise<SpectralFinding[]> {
  const spectral = new Spectral();
  spectral.setRuleset({ extends: [[oas as never, "all"]] } as never);
  const document = new Document(JSON.stringify(definition, null, 2), Parsers.Json, "apiDefinition.swagger.json");
  const results = await spectral.run(document);
  const severities = ["error", "warning", "info", "hint"] as const;
  return results.map((r) => ({
    code: String(r.code),
    severity: severities[r.severity] ?? "error",
    path: r.path.join("."),
    message: r.message,
  }));
}
