import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import { connectorDir, connectorFiles, definitionFileName, propertiesFileName } from "../../scripts/export-connector";
import { connectorHostPlaceholder, operationIds } from "../../src/openapi/definition";
import { type Schema } from "../../src/openapi/schema";
import { assertMatchesDefinition, openApiDefinition, operationForPath, responseProblems } from "../rig/openapi";
import { startRig, type Rig } from "../rig/rig";
import { addSeedPrinter, seedJobId, seedPrinterId, seedShareId } from "../../sandbox/tenant";

const functionKey = "test-function-key-789";
const masterKey = "test-master-key-456";
let rig: Rig;

before(
  async () =>
    (rig = await startRig({ host: { functionKeys: [functionKey], masterKey }, tenant: addSeedPrinter, storage: true })),
);
after(() => rig.stop());

async function get(
  pathOrUrl: string,
  withKey = true,
): Promise<{ status: number; body: any; headers: Headers; text: string }> {
  const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${rig.api}${pathOrUrl}`;
  const response = await fetch(url, { headers: withKey ? { "x-functions-key": functionKey } : {} });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: response.status, body, headers: response.headers, text };
}

type Operation = Schema & { operationId: string; parameters?: Schema[]; responses: Record<string, Schema> };

function operations(definition: Schema): [string, string, Operation][] {
  return Object.entries(definition.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => [path, method, op] as [string, string, Operation]),
  );
}

/** The HTTP routes that make up the API (everything but the audit viewer's page). */
function apiRoutes(): ReturnType<Rig["host"]["httpRoutes"]> {
  return rig.host.httpRoutes().filter((r) => r.name !== "auditViewer");
}

describe("the served definition", () => {
  test("is anonymous, valid OpenAPI 2.0, under 1 MB, and names the host it was fetched from", async () => {
    const { status, body, headers, text } = await get("/openapi.json", false);
    assert.equal(status, 200);
    assert.ok(headers.get("x-request-id"));
    assert.equal(body.swagger, "2.0", "Power Automate custom connectors take OpenAPI 2.0 only");
    assert.ok(
      Buffer.byteLength(text) < 1024 * 1024,
      `${Buffer.byteLength(text)} bytes; a connector definition must stay under 1 MB`,
    );
    await SwaggerParser.validate(structuredClone(body));
    const api = new URL(rig.api);
    assert.equal(body.host, api.host);
    assert.equal(body.basePath, "/api");
    assert.deepEqual(body.schemes, ["http"]);
    assertMatchesDefinition("GetOpenApiDefinition", { status, body, headers });
  });

  test("PUBLIC_BASE_URL, when set, is the host (and base path) it names", async () => {
    try {
      rig.configure({ PUBLIC_BASE_URL: "https://print.contoso.com" });
      let { body } = await get("/openapi.json", false);
      assert.equal(body.host, "print.contoso.com");
      assert.equal(body.basePath, "/api");
      assert.deepEqual(body.schemes, ["https"]);
      rig.configure({ PUBLIC_BASE_URL: "https://gateway.contoso.com/print/api" });
      ({ body } = await get("/openapi.json", false));
      assert.equal(body.host, "gateway.contoso.com");
      assert.equal(body.basePath, "/print/api");
    } finally {
      rig.configure({ PUBLIC_BASE_URL: undefined });
    }
  });

  test("has the stable operationIds, each with a summary and a description", () => {
    const ops = operations(openApiDefinition);
    assert.deepEqual(ops.map(([, , op]) => op.operationId).sort(), [...operationIds].sort());
    for (const [path, method, op] of ops) {
      assert.match(op.operationId, /^[A-Z][A-Za-z]+$/, `${method} ${path}: operationId is PascalCase`);
      assert.ok(
        typeof op.summary === "string" && op.summary.length > 0 && op.summary.length <= 80,
        `${op.operationId} has a summary`,
      );
      assert.ok(typeof op.description === "string" && op.description.length > 0, `${op.operationId} has a description`);
      assert.ok(op.responses["200"], `${op.operationId} declares its 200`);
    }
    const summaries = Object.fromEntries(ops.map(([, , op]) => [op.operationId, op.summary]));
    assert.equal(summaries.GetPrinterJob, "Get print job");
    assert.equal(summaries.WaitForPrinterJob, "Wait for print job to finish");
    assert.equal(summaries.GetJobAuditTimeline, "Get job audit timeline");
  });

  test("every parameter and every field a flow maker sees has a title (x-ms-summary) and a description", () => {
    const params = openApiDefinition.parameters as Record<string, Schema>;
    for (const [name, param] of Object.entries(params)) {
      assert.ok(param["x-ms-summary"], `parameter ${name} has x-ms-summary`);
      assert.ok(param.description, `parameter ${name} has a description`);
    }
    const missing: string[] = [];
    for (const [name, schema] of Object.entries(openApiDefinition.definitions as Record<string, Schema>)) {
      for (const [field, property] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
        if (property.$ref || property["x-ms-visibility"] === "internal") continue;
        if (!property["x-ms-summary"] || !property.description) missing.push(`${name}.${field}`);
      }
    }
    assert.deepEqual(missing, []);
    const summaries = [...JSON.stringify(openApiDefinition).matchAll(/"x-ms-summary":"([^"]*)"/g)].map((m) => m[1]!);
    assert.ok(summaries.length > 50);
    const notTitleCase = summaries.filter((t) =>
      t
        .split(" ")
        .some(
          (w, i) =>
            /^[a-z]/.test(w) &&
            (i === 0 || !["a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to"].includes(w)),
        ),
    );
    assert.deepEqual(notTitleCase, [], "x-ms-summary is Title Case, as Power Platform shows it");
    const deadline = params.deadline!;
    assert.equal(deadline["x-ms-visibility"], "internal", "the deadline is the app's own, hidden from flow makers");
    assert.equal(deadline.required, false);
  });

  test("declares the function key header as its one sign-in (Entra is an export choice)", () => {
    const schemes = openApiDefinition.securityDefinitions as Record<string, Schema>;
    assert.deepEqual(Object.keys(schemes), ["functionKey"]);
    assert.deepEqual(
      { ...schemes.functionKey, description: undefined },
      { type: "apiKey", in: "header", name: "x-functions-key", description: undefined },
    );
    assert.deepEqual(openApiDefinition.security, [{ functionKey: [] }]);
    const definition = operations(openApiDefinition).find(([, , op]) => op.operationId === "GetOpenApiDefinition")![2];
    assert.deepEqual(definition.security, [], "the definition itself is anonymous");
  });

  test("the wait operations declare 202 with Location and Retry-After, and 504", () => {
    for (const id of ["WaitForPrinterJob", "WaitForShareJob"]) {
      const op = operations(openApiDefinition).find(([, , o]) => o.operationId === id)![2];
      const accepted = op.responses["202"] as { headers: Record<string, unknown> };
      assert.ok(accepted.headers.location && accepted.headers["retry-after"], `${id} 202 headers`);
      assert.ok(op.responses["504"]);
      assert.ok(op.parameters!.some((p) => p.$ref === "#/parameters/timeout"));
    }
  });

  test("every HTTP function the app registers is in the definition, and every operation is a registered route", () => {
    // The audit viewer's HTML page (GET /audit/ui) is a page for people, not an API operation.
    const registered = apiRoutes()
      .flatMap((r) => r.methods.map((m) => `${m} /${r.route.replace(/\{(\w+)[^}]*\}/g, "{$1}")}`))
      .sort();
    const defined = operations(openApiDefinition)
      .map(([path, method]) => `${method.toUpperCase()} ${path}`)
      .sort();
    const undeclared = registered.filter((r) => !defined.includes(r));
    assert.deepEqual(undeclared, [], "routes the definition does not describe");
    const unserved = defined.filter((d) => !registered.includes(d));
    assert.deepEqual(unserved, [], "operations no function serves");
  });

  test("the anonymous route is the definition alone; every other route wants the function key", async () => {
    for (const route of apiRoutes()) {
      const defined = operations(openApiDefinition).find(
        ([path]) => path === `/${route.route}`.replace(/\{(\w+)[^}]*\}/g, "{$1}"),
      );
      const security = defined?.[2].security;
      assert.equal(
        route.authLevel === "anonymous",
        Array.isArray(security) && security.length === 0,
        `${route.name}: authLevel ${route.authLevel}`,
      );
    }
    const refused = await get(`/printers/${seedPrinterId}/jobs/${seedJobId}`, false);
    assert.equal(refused.status, 401);
    assertMatchesDefinition("GetPrinterJob", { status: refused.status, body: refused.body });
  });
});

describe("connector/ is what the app serves", () => {
  test("connector/ holds exactly what `npm run connector:export` writes", () => {
    for (const [name, expected] of Object.entries(connectorFiles())) {
      let actual = "";
      try {
        actual = readFileSync(join(connectorDir, name), "utf8");
      } catch {
        assert.fail(`connector/${name} is missing: run \`npm run connector:export\` and commit connector/`);
      }
      assert.ok(
        actual === expected,
        `connector/${name} is out of date with src/openapi/definition.ts: run \`npm run connector:export\` and commit connector/`,
      );
    }
  });

  test("the exported definition is the served one with the placeholder host", async () => {
    const { body } = await get("/openapi.json", false);
    const exported = JSON.parse(readFileSync(join(connectorDir, definitionFileName), "utf8"));
    assert.equal(exported.host, connectorHostPlaceholder);
    assert.deepEqual(
      { ...body, host: connectorHostPlaceholder, schemes: ["https"] },
      exported,
      "connector/apiDefinition.swagger.json differs from GET /api/openapi.json: run `npm run connector:export` and commit connector/",
    );
    await SwaggerParser.validate(structuredClone(exported));
  });

  test("apiProperties offers the function-key connection and pages through it", () => {
    const properties = JSON.parse(readFileSync(join(connectorDir, propertiesFileName), "utf8")).properties;
    assert.deepEqual(Object.keys(properties.connectionParameters), ["api_key"]);
    assert.equal(properties.connectionParameters.api_key.type, "securestring");
    assert.equal(properties.connectionParameterSets, undefined, "one way to sign in per exported connector");
    const paging = properties.policyTemplateInstances.filter((p: any) => p.templateId === "updatenextlink");
    assert.deepEqual(
      paging.map((p: any) => p.parameters["x-ms-apimTemplate-operationName"]),
      [["ListAuditJobs", "ListAuditEvents"]],
    );
  });
});

describe("the response checker catches drift", () => {
  test("a field the definition does not describe, a wrong type, a missing request id", () => {
    const headers = new Headers({ "x-request-id": "r" });
    assert.deepEqual(
      responseProblems("GetPrinterJob", { status: 200, body: { id: "1", status: { state: "completed" } }, headers }),
      [],
    );
    assert.match(
      responseProblems("GetPrinterJob", { status: 200, body: { id: "1", pageCount: 3 } }).join(),
      /additional/,
    );
    assert.match(responseProblems("GetPrinterJob", { status: 200, body: { id: 1 } }).join(), /must be string/);
    assert.match(
      responseProblems("GetPrinterJob", {
        status: 404,
        body: { error: { code: "notFound", message: "m" } },
        headers: new Headers(),
      }).join(),
      /x-request-id/,
    );
    assert.match(
      responseProblems("WaitForPrinterJob", { status: 202, body: { jobId: "1" }, headers }).join(),
      /required/,
    );
    assert.match(
      responseProblems("WaitForPrinterJob", {
        status: 202,
        body: { jobId: "1", state: "s", deadline: "2026-01-01T00:00:00Z", timeout: "PT1H", retryAfterSeconds: 15 },
        headers,
      }).join(),
      /location/,
    );
  });

  test("a request path finds its operation", () => {
    assert.equal(operationForPath("GET", `/printers/${seedPrinterId}/jobs/1`), "GetPrinterJob");
    assert.equal(
      operationForPath("GET", `http://localhost:7071/api/shares/${seedShareId}/jobs/1/completion?timeout=PT1H`),
      "WaitForShareJob",
    );
    assert.equal(operationForPath("GET", "/audit/jobs?top=5"), "ListAuditJobs");
  });
});

describe("traceability: every answer carries a request id that finds the call's log line", () => {
  const calls: [string, string][] = [
    ["get job", `/printers/${seedPrinterId}/jobs/${seedJobId}`],
    ["get job through a share", `/shares/${seedShareId}/jobs/${seedJobId}`],
    ["get job, not found", `/printers/${seedPrinterId}/jobs/424242`],
    ["get job, bad id", `/printers/nope/jobs/${seedJobId}`],
    ["wait, final", `/printers/${seedPrinterId}/jobs/${seedJobId}/completion`],
    ["wait through a share, bad timeout", `/shares/${seedShareId}/jobs/${seedJobId}/completion?timeout=soon`],
    ["openapi.json", "/openapi.json"],
    ["audit timeline, never recorded", `/audit/printers/${seedPrinterId}/jobs/424242`],
    ["audit history", "/audit/jobs?top=5"],
    ["audit history, bad filter", "/audit/jobs?from=yesterday"],
  ];
  for (const [name, path] of calls) {
    test(name, async () => {
      const { status, body, headers } = await get(path);
      const requestId = headers.get("x-request-id");
      assert.match(requestId ?? "", /^[0-9a-f-]{36}$/, "x-request-id");
      if (status >= 400) assert.equal(body.error.requestId, requestId, "the error body names the same id");
      const lines = rig.host.logs.filter((l) => l.message.includes(`requestId=${requestId}`));
      assert.equal(lines.length, 1, "one httpCall line per call");
      const line = lines[0]!.message;
      assert.match(line, new RegExp(`^httpCall requestId=${requestId} operation=${operationForPath("GET", path)} `));
      assert.match(line, new RegExp(` status=${status} `));
      assert.match(line, / outcome=\w+ /);
      assert.match(line, / durationMs=\d+$/);
      const graphRequestId = headers.get("x-graph-request-id") ?? body?.error?.graphRequestId;
      if (graphRequestId)
        assert.match(line, new RegExp(` graphRequestId=${graphRequestId} `), "Graph's request-id is on the same line");
      if (path.includes("/jobs/5182") && status < 400) assert.match(line, new RegExp(` jobId=5182 `));
      assert.doesNotMatch(line, /john|smith|contoso\.com|@/i, "no personal data");
      assert.ok(!rig.host.logs.some((l) => l.message.includes(functionKey)), "the key is never logged");
    });
  }

  test("every registered route answers with x-request-id", async () => {
    const sample: Record<string, string> = { printerId: seedPrinterId, shareId: seedShareId, jobId: seedJobId };
    for (const route of rig.host.httpRoutes()) {
      const path = `/${route.route.replace(/\{(\w+)[^}]*\}/g, (_, name: string) => sample[name] ?? "x")}`;
      // A POST-only route (the erasure) is called with its own method and an empty body (a 400); admin routes with the master key.
      const key = route.authLevel === "admin" ? masterKey : functionKey;
      const { headers, status } = await fetch(`${rig.api}${path}`, {
        method: route.methods.includes("GET") ? "GET" : route.methods[0],
        headers: { "x-functions-key": key },
      });
      assert.ok(headers.get("x-request-id"), `${route.name} (${status}) answers without x-request-id`);
    }
  });
});
