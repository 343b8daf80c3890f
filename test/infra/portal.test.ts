/**
 * The portal's part of the compiled template (dist/infra/main.json, from .ci/bicep.sh): the workbook with its Logs
 * queries and time range, the query pack, both alert rules reading the named events, CORS for the portal's
 * Test/Run, and a host.json that samples none of the telemetry they read.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../sandbox/host/functionApp";
import { alertQueries, queryPackQueries, workbookData, workbookQueries } from "../rig/portalQueries";

interface Resource {
  type: string;
  name: string;
  kind?: string;
  tags?: unknown;
  copy?: { count: string };
  properties?: Record<string, unknown>;
}
interface Template {
  variables?: Record<string, unknown>;
  resources: Resource[] | Record<string, Resource>;
}

const root = repoRoot();
const templatePath = join(root, "dist", "infra", "main.json");
const opts = {
  skip: !existsSync(templatePath) && !process.env.CI ? `${templatePath} is missing: run npm run infra:build` : false,
};

const load = (): Template => JSON.parse(readFileSync(templatePath, "utf8")) as Template;
const resourcesOf = (t: Template): Resource[] => (Array.isArray(t.resources) ? t.resources : Object.values(t.resources));

/** A module (nested deployment) of main.bicep: what it is given and the template it deploys. */
function module(name: string): { parameters: Record<string, { value: unknown }>; template: Template } {
  const found = resourcesOf(load()).find((r) => r.type === "Microsoft.Resources/deployments" && r.name === name);
  assert.ok(found, `module ${name} not found`);
  const properties = found.properties as { parameters: Record<string, { value: unknown }>; template: Template };
  return { parameters: properties.parameters, template: properties.template };
}

function ofType(template: Template, type: string): Resource[] {
  return resourcesOf(template).filter((r) => r.type.toLowerCase() === type.toLowerCase());
}

/** The text a module loaded with loadTextContent/loadJsonContent (Bicep keeps it in a $fxv#N variable). */
function loadedContent(template: Template, expression: string): unknown {
  const name = /variables\('(\$fxv#\d+)'\)/.exec(expression)?.[1];
  assert.ok(name, `${expression} does not read a loaded file`);
  return template.variables?.[name];
}

test("the workbook: in the gallery, bound to Application Insights, ≥ 6 Logs queries over a time range", opts, () => {
  const { template, parameters } = module("workbook");
  const [workbook] = ofType(template, "Microsoft.Insights/workbooks");
  assert.ok(workbook, "no workbook");
  const props = workbook.properties as Record<string, string>;
  assert.equal(props.category, "workbook");
  assert.equal(workbook.kind, "shared");
  assert.match(props.sourceId!, /Microsoft\.Insights\/components/);
  assert.match(
    props.serializedData!,
    /^\[replace\(replace\(variables\('\$fxv#\d+'\), '__VIEWER_URL__', parameters\('viewerUrl'\)\), '__APPLICATION_INSIGHTS_ID__', resourceId\('Microsoft\.Insights\/components', parameters\('applicationInsightsName'\)\)\)\]$/,
  );
  assert.deepEqual(workbookData().fallbackResourceIds, ["__APPLICATION_INSIGHTS_ID__"]);
  const data = JSON.parse(String(loadedContent(template, props.serializedData!))) as ReturnType<typeof workbookData>;
  assert.deepEqual(data, workbookData(), "the deployed workbook is infra/workbook/audit.workbook.json");
  const logsQueries = data.items.filter(
    (i) => i.type === 3 && (i.content as { version?: string; queryType?: number }).queryType === 0,
  );
  assert.ok(logsQueries.length >= 6, `${logsQueries.length} Logs queries`);
  for (const item of logsQueries)
    assert.equal((item.content as { timeContextFromParameter?: string }).timeContextFromParameter, "TimeRange", item.name);
  const parameterItems = data.items.filter((i) => i.type === 9).flatMap((i) => i.content.parameters ?? []);
  const kinds = Object.fromEntries(parameterItems.map((p) => [p.name, (p as { type?: number }).type]));
  assert.deepEqual(kinds, { TimeRange: 4, Printer: 2 });
  assert.ok(workbookQueries().every((q) => !/\{[A-Za-z]/.test(q.text)), "a workbook parameter the tests do not fill");
  assert.match(JSON.stringify(data.items.filter((i) => i.type === 11)), /"cellValue":"__VIEWER_URL__"/);
  assert.match(String(parameters.viewerUrl?.value), /^\[format\('https:\/\/\{0\}\/api\/audit\/ui', reference\(.*'functionapp'/);
});

test("the query pack holds the saved queries of infra/queries/querypack.json", opts, () => {
  const { template } = module("querypack");
  assert.equal(ofType(template, "Microsoft.OperationalInsights/queryPacks").length, 1);
  const [queries] = ofType(template, "Microsoft.OperationalInsights/queryPacks/queries");
  assert.equal(queries?.copy?.count, "[length(variables('savedQueries'))]");
  assert.equal(queries?.properties?.body, "[variables('savedQueries')[copyIndex()].body]");
  const saved = loadedContent(template, String(template.variables?.savedQueries)) as { body: string }[];
  assert.deepEqual(
    saved.map((q) => q.body),
    queryPackQueries().map((q) => q.text),
  );
  assert.ok(saved.length >= 6);
});

test("both alert rules read the PrinterAudited events from the files the KQL tests bind", opts, () => {
  const { template } = module("alerts");
  const rules = ofType(template, "Microsoft.Insights/scheduledQueryRules");
  const split = rules.map((rule) => {
    const [criterion] = (rule.properties as { criteria: { allOf: { query: string; dimensions: { name: string }[] }[] } })
      .criteria.allOf;
    const variable = /^\[variables\('(\w+)'\)\]$/.exec(criterion!.query)?.[1];
    const text = String(loadedContent(template, String(template.variables?.[variable!])));
    assert.match(text, /message startswith '\{"event":"PrinterAudited"'/);
    assert.ok(alertQueries().some((q) => q.text.startsWith(text.split("__")[0]!)), "read from infra/queries");
    return criterion!.dimensions.map((d) => d.name).join();
  });
  assert.deepEqual(split.sort(), ["MissingRoles", "PrinterId"]);
});

test("CORS lets the portal of the cloud deployed to call the app (Test/Run), without credentials", opts, () => {
  const app = module("functionapp");
  assert.deepEqual(app.parameters.corsAllowedOrigins?.value, ["[environment().portal]"]);
  const [site] = ofType(app.template, "Microsoft.Web/sites");
  const cors = (site?.properties?.siteConfig as { cors?: unknown }).cors;
  assert.deepEqual(cors, { allowedOrigins: "[parameters('corsAllowedOrigins')]", supportCredentials: false });
});

test("host.json keeps the events' level and samples none of the types the workbook, query pack and alerts read", () => {
  const host = JSON.parse(readFileSync(join(root, "host.json"), "utf8")) as {
    logging: {
      logLevel: Record<string, string>;
      applicationInsights: { samplingSettings: { isEnabled: boolean; excludedTypes?: string } };
    };
  };
  // The events are Information lines of the functions' own category: a stricter level would drop them.
  assert.equal(host.logging.logLevel.Function ?? host.logging.logLevel.default, "Information");
  const sampling = host.logging.applicationInsights.samplingSettings;
  const excluded = new Set((sampling.excludedTypes ?? "").split(";"));
  const typeOfTable: Record<string, string> = {
    traces: "Trace",
    requests: "Request",
    customEvents: "Event",
    dependencies: "Dependency",
    exceptions: "Exception",
  };
  const read = new Set<string>();
  for (const query of [...workbookQueries(), ...queryPackQueries(), ...alertQueries()])
    for (const table of Object.keys(typeOfTable)) if (new RegExp(`\\b${table}\\b`).test(query.text)) read.add(table);
  assert.deepEqual([...read].sort(), ["requests", "traces"]);
  for (const table of read)
    assert.ok(!sampling.isEnabled || excluded.has(typeOfTable[table]!), `${table} can be sampled away`);
});
