// The connector held against Power Platform's own rules (test/rig/connectorRules.ts, Spectral's OpenAPI ruleset),
// the sign-in choice of `npm run connector:export`, and page 2 of a pageable action as Power Automate fetches it
// after the updatenextlink policy: through the connection, with only the connection's key.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import {
  connectorFiles,
  definitionFileName,
  exportConnector,
  propertiesFileName,
  UsageError,
} from "../../scripts/export-connector";
import { buildApiProperties } from "../../src/openapi/apiProperties";
import { type ConnectorAuth } from "../../src/openapi/connectorAuth";
import { buildOpenApiDefinition } from "../../src/openapi/definition";
import { type Schema } from "../../src/openapi/schema";
import {
  apiPropertiesProblems,
  connectorProblems,
  pageableOperations,
  pagingProblems,
  refSiblingProblems,
  spectralFindings,
  stringRuleProblems,
} from "../rig/connectorRules";
import { operationForPath } from "../rig/openapi";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { startRig, type Rig } from "../rig/rig";
import { addGeneratedTenant } from "../../sandbox/tenant";

const entra: ConnectorAuth = {
  kind: "entra",
  clientId: "0b6a4c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b",
  tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  resource: "api://5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
};

function exported(auth: ConnectorAuth): { definition: Schema; properties: Schema } {
  const files = connectorFiles("func-x.azurewebsites.net", auth);
  return { definition: JSON.parse(files[definitionFileName]!), properties: JSON.parse(files[propertiesFileName]!) };
}

describe("Power Platform's rules, over every operation of both exports", () => {
  for (const auth of [{ kind: "key" } as ConnectorAuth, entra]) {
    test(`--auth ${auth.kind}: no rule is broken, and it is valid OpenAPI 2.0`, async () => {
      const { definition, properties } = exported(auth);
      assert.deepEqual(connectorProblems(definition, properties), []);
      await SwaggerParser.validate(structuredClone(definition) as never);
    });
  }

  test("Spectral's OpenAPI ruleset finds no error", async () => {
    const findings = await spectralFindings(exported({ kind: "key" }).definition);
    const errors = findings.filter((f) => f.severity === "error");
    assert.deepEqual(errors, []);
    // What remains is advice; print it so the CI log shows it.
    for (const f of findings) console.log(`spectral ${f.severity} ${f.code} at ${f.path || "(root)"}: ${f.message}`);
  });

  test("Spectral reports a sibling of $ref as an error, so the check above can fail", async () => {
    const definition = exported({ kind: "key" }).definition;
    ((definition.definitions as any).PrintJobConfiguration.properties.margin as Schema)["x-ms-visibility"] = "advanced";
    const codes = (await spectralFindings(definition)).filter((f) => f.severity === "error").map((f) => f.code);
    assert.ok(codes.includes("no-$ref-siblings"), codes.join());
  });

  test("the rules catch what the connector shipped with before: ')' summaries, a visibility beside $ref, paging without the policy, placeholders", () => {
    const definition = buildOpenApiDefinition({ host: "h" });
    const broken = structuredClone(definition) as any;
    broken.paths["/shares/{shareId}/jobs/{jobId}"].get.summary = "Get print job (through a share)";
    broken.definitions.CompletionPending.properties.retryAfterSeconds["x-ms-summary"] = "Retry After (s)";
    broken.definitions.PrintJob.properties.id["x-ms-summary"] = "Job/Print ID";
    broken.definitions.PrintJob.properties.id.description = "Id of the job, e.g. 5182";
    broken.definitions.PrintJobConfiguration.properties.margin = {
      $ref: "#/definitions/PrintMargin",
      "x-ms-visibility": "advanced",
    };
    const strings = stringRuleProblems(broken).join("\n");
    assert.match(strings, /Get print job \(through a share\)" ends with punctuation/);
    assert.match(strings, /Retry After \(s\)" ends with punctuation/);
    assert.match(strings, /"Job\/Print ID" contains a slash/);
    assert.match(strings, /PrintJob\.properties\.id\.description .* does not end with a period/);
    assert.match(refSiblingProblems(broken).join(), /margin: x-ms-visibility beside \$ref/);
    const long = structuredClone(definition) as any;
    long.paths["/audit/jobs"].get.summary = "List ".repeat(17).trim();
    assert.match(stringRuleProblems(long).join(), /longer than 80/);

    const noPolicy = {
      properties: { iconBrandColor: "#0078D4", connectionParameters: { api_key: { type: "securestring" } } },
    };
    assert.deepEqual(
      pagingProblems(definition, noPolicy),
      pageableOperations(definition).map(
        ({ operationId }) => `${operationId}: pageable, but no updatenextlink policy names it`,
      ),
    );
    assert.ok(pageableOperations(definition).some(({ operationId }) => operationId === "ListAuditJobs"));
    const placeholders = structuredClone(buildApiProperties(entra)) as any;
    placeholders.properties.connectionParameters.token.oAuthSettings.clientId =
      "<connector app registration client id>";
    placeholders.properties.connectionParameters.token.oAuthSettings.customParameters.enableOnbehalfOfLogin = {
      value: "false",
    };
    const found = apiPropertiesProblems(placeholders).join("\n");
    assert.match(found, /placeholder left: "<connector app registration client id>"/);
    assert.match(found, /must NOT have additional properties.*enableOnbehalfOfLogin/);
  });

  test("every pageable operation is paired with an updatenextlink policy on its own next-link property", () => {
    for (const auth of [{ kind: "key" } as ConnectorAuth, entra]) {
      const { definition, properties } = exported(auth);
      const pageable = pageableOperations(definition);
      assert.ok(pageable.length >= 1);
      const policies = (properties.properties as any).policyTemplateInstances.filter(
        (p: any) => p.templateId === "updatenextlink",
      );
      for (const { operationId, nextLinkName } of pageable) {
        const policy = policies.find((p: any) => p.parameters["x-ms-apimTemplate-operationName"].includes(operationId));
        assert.equal(policy?.parameters["x-ms-apimTemplateParameter.nextLinkPropertyName"], nextLinkName, operationId);
      }
    }
  });
});

describe("npm run connector:export: the sign-in choice", () => {
  let out: string;
  before(() => {
    out = mkdtempSync(join(tmpdir(), "connector-export-"));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  const run = (...args: string[]): { definition: any; properties: any; lines: string[] } => {
    const lines: string[] = [];
    exportConnector([...args, "--out", out], (line) => lines.push(line));
    return {
      definition: JSON.parse(readFileSync(join(out, definitionFileName), "utf8")),
      properties: JSON.parse(readFileSync(join(out, propertiesFileName), "utf8")).properties,
      lines,
    };
  };

  test("default (--auth key): the function key alone, in the definition and in the connection", () => {
    const { definition, properties } = run("--host", "func-x.azurewebsites.net");
    assert.equal(definition.host, "func-x.azurewebsites.net");
    assert.deepEqual(Object.keys(definition.securityDefinitions), ["functionKey"]);
    assert.deepEqual(Object.keys(properties.connectionParameters), ["api_key"]);
    assert.ok(
      !properties.policyTemplateInstances.some((p: any) => p.templateId === "setheader"),
      "the apiKey binding sends the key itself",
    );
  });

  test("--auth entra: Entra sign-in with the given ids, the key sent by a policy, no placeholder", () => {
    const { definition, properties } = run(
      "--auth",
      "entra",
      "--client-id",
      entra.clientId.toUpperCase(),
      "--tenant",
      entra.tenant,
      "--resource",
      entra.resource,
      "--host",
      "func-x.azurewebsites.net",
    );
    assert.deepEqual(Object.keys(definition.securityDefinitions), ["entra"]);
    assert.equal(
      definition.securityDefinitions.entra.authorizationUrl,
      `https://login.microsoftonline.com/${entra.tenant}/oauth2/authorize`,
    );
    assert.deepEqual(
      Object.keys(properties.connectionParameters),
      ["token", "api_key"],
      "paconn puts --secret into the parameter named token",
    );
    const oauth = properties.connectionParameters.token.oAuthSettings;
    assert.equal(oauth.clientId, entra.clientId);
    assert.equal(oauth.customParameters.tenantId.value, entra.tenant);
    assert.equal(oauth.customParameters.resourceUri.value, entra.resource);
    assert.equal(oauth.properties.AzureActiveDirectoryResourceId, entra.resource);
    const header = properties.policyTemplateInstances.find((p: any) => p.templateId === "setheader");
    assert.equal(header.parameters["x-ms-apimTemplateParameter.value"], "@connectionParameters('api_key')");
    assert.deepEqual(apiPropertiesProblems({ properties }), []);
    assert.doesNotMatch(JSON.stringify(properties), /<|your-/);
  });

  test("a tenant may be given as its domain", () => {
    const { properties } = run(
      "--auth",
      "entra",
      "--client-id",
      entra.clientId,
      "--tenant",
      "Contoso.onmicrosoft.com",
      "--resource",
      entra.clientId,
    );
    assert.equal(
      properties.connectionParameters.token.oAuthSettings.customParameters.tenantId.value,
      "contoso.onmicrosoft.com",
    );
  });

  const refused: [string, string[], RegExp][] = [
    ["an unknown sign-in", ["--auth", "oauth"], /--auth is key or entra; got "oauth"/],
    ["entra without its ids", ["--auth", "entra"], /--auth entra needs --client-id, --tenant, --resource/],
    [
      "entra with a client id that is no GUID",
      ["--auth", "entra", "--client-id", "my-app", "--tenant", entra.tenant, "--resource", entra.resource],
      /--client-id must be a GUID/,
    ],
    [
      "entra with a tenant that is neither GUID nor domain",
      ["--auth", "entra", "--client-id", entra.clientId, "--tenant", "<your tenant id>", "--resource", entra.resource],
      /--tenant must be a tenant id/,
    ],
    [
      "entra with a resource that is no id or URI",
      ["--auth", "entra", "--client-id", entra.clientId, "--tenant", entra.tenant, "--resource", "my function app"],
      /--resource must be/,
    ],
    ["Entra ids with the key sign-in", ["--client-id", entra.clientId], /only go with --auth entra/],
    ["an unknown option", ["--secret", "s3cret"], /unknown option --secret/],
    ["a host with a scheme", ["--host", "https://func-x.azurewebsites.net"], /--host takes a host name/],
  ];
  for (const [name, args, message] of refused) {
    test(`refuses ${name} with a clear message`, () => {
      assert.throws(
        () => exportConnector([...args, "--out", out], () => {}),
        (error: Error) => error instanceof UsageError && message.test(error.message),
      );
    });
  }

  test("the Entra export never overwrites the checked-in connector/", () => {
    assert.throws(
      () =>
        exportConnector(
          ["--auth", "entra", "--client-id", entra.clientId, "--tenant", entra.tenant, "--resource", entra.resource],
          () => {},
        ),
      /give it an --out folder/,
    );
  });
});

describe("page 2 the way Power Automate fetches it", () => {
  const functionKey = "connection-key-4711";
  let rig: Rig;

  before(async () => {
    rig = await startRig({ storage: true, host: { functionKeys: [functionKey] } });
    const printers = addGeneratedTenant(rig.sim, { printers: 2, jobsPerPrinter: 4 });
    rig.configure({ AUDIT_TABLE_PREFIX: `pg${Date.now().toString(36)}`, AUDIT_PRINTER_IDS: printers.join(",") });
    await serveAuditQueues(rig);
    await runScheduledAudit(rig, { timeoutMs: 20_000 });
  });
  after(() => rig.stop());

  /** A call through the connection: the connection's host and base path, and only its key header. */
  const throughConnection = async (
    connectionBase: string,
    pathAndQuery: string,
  ): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${connectionBase}${pathAndQuery}`, { headers: { "x-functions-key": functionKey } });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  };

  test("every page comes through the connection after the nextLink rewrite, and together they are the whole list", async () => {
    const served = (await (await fetch(`${rig.api}/openapi.json`)).json()) as any;
    // The connection's base as the imported definition names it: scheme, host and basePath.
    const origin = `${served.schemes[0]}://${served.host}`;
    const policy = (buildApiProperties().properties as any).policyTemplateInstances.find(
      (p: any) => p.templateId === "updatenextlink",
    );
    const nextLinkName = policy.parameters["x-ms-apimTemplateParameter.nextLinkPropertyName"];

    const all = await throughConnection(`${origin}${served.basePath}`, "/audit/jobs?top=1000");
    assert.equal(all.status, 200);
    assert.equal(all.body.value.length, 8);

    let page = await throughConnection(`${origin}${served.basePath}`, "/audit/jobs?top=3");
    const seen = [...page.body.value];
    let pages = 1;
    while (page.body[nextLinkName]) {
      const nextLink = new URL(page.body[nextLinkName]);
      assert.doesNotMatch(nextLink.search, /code=/i, "the nextLink never carries a key");
      // The raw absolute link, called outside the connection, has no key: the 401 the policy exists to avoid.
      assert.equal((await fetch(nextLink)).status, 401);
      // updatenextlink keeps the link's path and query and sends it through the connection with the connection's key.
      assert.ok(nextLink.pathname.startsWith(`${served.basePath}/`), "the link stays under the connector's base path");
      assert.equal(operationForPath("GET", nextLink.pathname), "ListAuditJobs", "the link routes to the same action");
      page = await throughConnection(origin, `${nextLink.pathname}${nextLink.search}`);
      assert.equal(page.status, 200, `page ${pages + 1}`);
      seen.push(...page.body.value);
      pages++;
    }
    assert.equal(pages, 3);
    const key = (row: any): string => `${row.PrinterId}/${row.JobId}/${row.Sequence}`;
    assert.deepEqual(seen.map(key).sort(), all.body.value.map(key).sort());
  });
});
