/**
 * Checks an answer of the app against the OpenAPI definition it publishes, so code and definition cannot
 * drift apart. Any suite can call it: `assertMatchesDefinition("GetPrinterJob", { status, body, headers })`.
 *
 * Stricter than Power Automate on purpose: an object that lists its properties and says nothing about
 * others admits no others here, so a field the code adds without describing it fails a test.
 */
import assert from "node:assert/strict";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { buildOpenApiDefinition, connectorHostPlaceholder, type OperationId } from "../../src/openapi/definition";
import { type Schema } from "../../src/openapi/schema";

export const openApiDefinition = buildOpenApiDefinition({ host: connectorHostPlaceholder });

/** Swagger 2.0 schema -> JSON Schema for ajv: x-nullable becomes a null type, x-* keywords go, closed objects. */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const source = schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith("x-")) continue;
    out[key] =
      key === "properties" || key === "definitions"
        ? mapValues(value as Record<string, unknown>, toJsonSchema)
        : toJsonSchema(value);
  }
  if (source["x-nullable"] === true && typeof out.type === "string") out.type = [out.type, "null"];
  if (out.type === "object" || (Array.isArray(out.type) && out.type.includes("object"))) {
    if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  }
  return out;
}

function mapValues(record: Record<string, unknown>, map: (value: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, map(v)]));
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ $id: "openapi", definitions: toJsonSchema(openApiDefinition.definitions) } as Schema);

interface Operation {
  path: string;
  method: string;
  responses: Record<string, { schema?: Schema; headers?: Record<string, unknown> }>;
}

function operation(operationId: OperationId): Operation {
  const paths = openApiDefinition.paths as Record<string, Record<string, Schema>>;
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (op.operationId === operationId) return { path, method, responses: op.responses as Operation["responses"] };
    }
  }
  throw new Error(`The OpenAPI definition has no operation ${operationId}`);
}

/**
 * The operation a request goes to, by matching its path (after /api) against the definition's path
 * templates, as the Functions host matches routes: segment by segment, literals case-insensitively.
 */
export function operationForPath(method: string, pathOrUrl: string): OperationId {
  const pathname = /^https?:/.test(pathOrUrl) ? new URL(pathOrUrl).pathname : pathOrUrl.split("?")[0]!;
  const basePath = String(openApiDefinition.basePath);
  const relative = pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : pathname;
  const segments = relative.split("/").filter(Boolean);
  const paths = openApiDefinition.paths as Record<string, Record<string, Schema>>;
  for (const [template, methods] of Object.entries(paths)) {
    const parts = template.split("/").filter(Boolean);
    const op = methods[method.toLowerCase()];
    if (!op || parts.length !== segments.length) continue;
    if (parts.every((part, i) => /^\{.+\}$/.test(part) || part.toLowerCase() === segments[i]!.toLowerCase()))
      return op.operationId as OperationId;
  }
  throw new Error(`The OpenAPI definition has no operation for ${method} ${pathname}`);
}

const validators = new Map<string, ValidateFunction | null>();

function validatorFor(operationId: OperationId, status: number): { key: string; validate: ValidateFunction | null } {
  const { responses } = operation(operationId);
  const key = String(status) in responses ? String(status) : "default";
  const response = responses[key];
  assert.ok(response, `${operationId} declares no ${status} response and no default`);
  const cacheKey = `${operationId} ${key}`;
  if (!validators.has(cacheKey)) {
    const schema = response.schema
      ? (JSON.parse(
          JSON.stringify(toJsonSchema(response.schema)).replace(/"#\/definitions\//g, '"openapi#/definitions/'),
        ) as Schema)
      : null;
    validators.set(cacheKey, schema ? ajv.compile(schema) : null);
  }
  return { key, validate: validators.get(cacheKey)! };
}

export interface ReceivedResponse {
  status: number;
  body: unknown;
  headers?: Headers;
}

/** Problems of an answer against the definition: empty when it matches. */
export function responseProblems(operationId: OperationId, response: ReceivedResponse): string[] {
  const { key, validate } = validatorFor(operationId, response.status);
  const problems: string[] = [];
  if (validate === null) {
    if (response.body !== undefined && response.body !== "")
      problems.push(`${key} declares no body, got ${JSON.stringify(response.body).slice(0, 200)}`);
  } else if (!validate(response.body)) {
    for (const error of validate.errors ?? []) {
      problems.push(
        `body${error.instancePath || ""} ${error.message ?? "is invalid"}${error.params ? ` ${JSON.stringify(error.params)}` : ""}`,
      );
    }
  }
  if (response.headers && response.status !== 401) {
    const required = ["x-request-id", ...(response.status === 202 ? ["location", "retry-after"] : [])];
    for (const name of required) if (!response.headers.get(name)) problems.push(`header ${name} is missing`);
  }
  return problems;
}

/** Fails the test when an answer does not match the operation's declared response for its status. */
export function assertMatchesDefinition(operationId: OperationId, response: ReceivedResponse): void {
  const problems = responseProblems(operationId, response);
  assert.deepEqual(
    problems,
    [],
    `${operationId} answered ${response.status}, which does not match the OpenAPI definition:\n  ${problems.join("\n  ")}`,
  );
}
