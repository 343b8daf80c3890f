// Asserts on the ARM JSON the real Bicep compiler made of infra/main.bicep (.ci/bicep.sh or `npm run infra:build`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const repoRoot = resolve(__dirname, "..", "..");
const templatePath = resolve(repoRoot, "dist", "infra", "main.json");

interface ArmResource {
  type: string;
  name: string;
  apiVersion?: string;
  kind?: string;
  condition?: string | boolean;
  identity?: unknown;
  sku?: Record<string, unknown>;
  scope?: string;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

interface ArmParameter {
  type: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
}

interface ArmTemplate {
  parameters?: Record<string, ArmParameter>;
  variables?: Record<string, unknown>;
  resources: ArmResource[] | Record<string, ArmResource>;
  outputs?: Record<string, { type: string; value: unknown }>;
}

/** A resource together with the (module) template it is declared in. */
interface FoundResource {
  resource: ArmResource;
  template: ArmTemplate;
  /** Module names from the top-level template down to this resource's template. */
  path: string[];
}

const missingTemplate = !existsSync(templatePath);
const skipReason =
  missingTemplate && !process.env.CI
    ? `${templatePath} is missing: run \`npm run infra:build\` (needs the dotnet SDK once to restore the Bicep CLI)`
    : false;

function loadTemplate(): ArmTemplate {
  if (missingTemplate) {
    assert.fail(`${templatePath} is missing: CI must run .ci/bicep.sh before the tests`);
  }
  return JSON.parse(readFileSync(templatePath, "utf8")) as ArmTemplate;
}

function resourcesOf(template: ArmTemplate): ArmResource[] {
  return Array.isArray(template.resources) ? template.resources : Object.values(template.resources);
}

/** Every resource of the template and of its nested deployments (modules), depth first. */
function walk(template: ArmTemplate, path: string[] = []): FoundResource[] {
  return resourcesOf(template).flatMap((resource) => {
    const found: FoundResource = { resource, template, path };
    const nested = (resource.properties?.template as ArmTemplate | undefined) ?? undefined;
    return resource.type === "Microsoft.Resources/deployments" && nested
      ? [found, ...walk(nested, [...path, resource.name])]
      : [found];
  });
}

function ofType(all: FoundResource[], type: string): FoundResource[] {
  return all.filter((f) => f.resource.type.toLowerCase() === type.toLowerCase());
}

function single(all: FoundResource[], type: string): FoundResource {
  const found = ofType(all, type);
  assert.equal(found.length, 1, `expected exactly one ${type}, found ${found.length}`);
  return found[0];
}

function module(template: ArmTemplate, name: string): ArmResource {
  const found = resourcesOf(template).find((r) => r.type === "Microsoft.Resources/deployments" && r.name === name);
  assert.ok(found, `module ${name} not found`);
  return found;
}

/** The value a module parameter is given by the template that calls it. */
function moduleParam(template: ArmTemplate, moduleName: string, param: string): unknown {
  const params = module(template, moduleName).properties?.parameters as Record<string, { value: unknown }>;
  assert.ok(params[param], `module ${moduleName} gets no parameter ${param}`);
  return params[param].value;
}

/**
 * The value a setting has when every main.bicep parameter keeps its default. Handles the expression shapes the
 * settings use: a literal, [parameters('x')], [string(parameters('x'))], [if(parameters('x'), 'a', 'b')].
 */
function withDefaults(template: ArmTemplate, value: unknown): unknown {
  if (typeof value !== "string" || !value.startsWith("[")) return value;
  const defaultOf = (name: string): unknown => {
    const parameter = template.parameters?.[name];
    assert.ok(parameter, `parameter ${name} is not declared`);
    return parameter.defaultValue;
  };
  let m = /^\[parameters\('(\w+)'\)\]$/.exec(value);
  if (m) return defaultOf(m[1]);
  m = /^\[string\(parameters\('(\w+)'\)\)\]$/.exec(value);
  if (m) return String(defaultOf(m[1]));
  m = /^\[if\(parameters\('(\w+)'\), '([^']*)', '([^']*)'\)\]$/.exec(value);
  if (m) return defaultOf(m[1]) === true ? m[2] : m[3];
  return value;
}

const roleIds = {
  storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  storageQueueDataContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
};

// The settings the app reads, with the app's defaults when every parameter keeps its default.
const expectedAppSettings: Record<string, string> = {
  GRAPH_BASE_URL: "",
  CREDENTIAL_MODE: "managedIdentity",
  AUDIT_SCHEDULE: "0 */10 * * * *",
  AUDIT_PRINTER_IDS: "",
  AUDIT_DISCOVER_PRINTERS: "false",
  AUDIT_QUEUE_NAME: "print-audit",
  AUDIT_TABLE_PREFIX: "printaudit",
  AUDIT_REDACT_USERS: "none",
  AUDIT_OMIT_DOCUMENT_NAMES: "false",
  AUDIT_RETENTION_DAYS: "400",
  AUDIT_RETENTION_SCHEDULE: "0 30 3 * * *",
  HTTP_DEADLINE_MS: "25000",
  GRAPH_MAX_RETRIES: "3",
  GRAPH_RETRY_DELAY_MS: "1000",
  GRAPH_MAX_RETRY_DELAY_MS: "30000",
  GRAPH_TRY_TIMEOUT_MS: "10000",
  GRAPH_MAX_RETRY_AFTER_MS: "5000",
  PUBLIC_BASE_URL: "",
};

const opts = { skip: skipReason };

test("the template is a subscription deployment that creates the resource group with the azd tag", opts, () => {
  const template = loadTemplate();
  const rg = single(walk(template), "Microsoft.Resources/resourceGroups").resource;
  assert.match(rg.name, /format\('rg-\{0\}', parameters\('environmentName'\)\)/);
  assert.deepEqual(
    (template.variables?.tags as Record<string, string>)["azd-env-name"],
    "[parameters('environmentName')]",
  );
  assert.match(
    String(template.variables?.resourceToken),
    /uniqueString\(subscription\(\)\.id, parameters\('environmentName'\), parameters\('location'\)\)/,
  );
});

test("Flex Consumption plan: FC1, tier FlexConsumption, Linux (reserved)", opts, () => {
  const plan = single(walk(loadTemplate()), "Microsoft.Web/serverfarms").resource;
  assert.deepEqual(plan.sku, { name: "FC1", tier: "FlexConsumption" });
  assert.equal(plan.properties?.reserved, true);
});

test(
  "function app: Linux, azd service api, https only, TLS 1.2, no basic-auth publishing (Flex has no FTPS to turn off)",
  opts,
  () => {
    const all = walk(loadTemplate());
    const site = single(all, "Microsoft.Web/sites").resource;
    assert.equal(site.kind, "functionapp,linux");
    assert.ok(
      site.apiVersion && site.apiVersion >= "2023-12-01",
      `sites API ${site.apiVersion} predates functionAppConfig`,
    );
    assert.match(String(site.tags), /'azd-service-name', parameters\('serviceName'\)/);
    assert.equal(moduleParam(loadTemplate(), "functionapp", "serviceName"), "api");
    assert.equal(site.properties?.httpsOnly, true);
    const siteConfig = site.properties?.siteConfig as Record<string, unknown>;
    assert.equal(
      siteConfig.ftpsState,
      undefined,
      "Flex Consumption does not support ftpsState (test/infraFlex.test.ts)",
    );
    assert.equal(siteConfig.minTlsVersion, "1.2");
    assert.equal(siteConfig.scmMinTlsVersion, "1.2");
    const policies = ofType(all, "Microsoft.Web/sites/basicPublishingCredentialsPolicies").map((f) => f.resource);
    assert.equal(policies.length, 2);
    for (const policy of policies) assert.equal(policy.properties?.allow, false, `${policy.name} allows basic auth`);
  },
);

test("function app: system-assigned identity by default, user-assigned as an option", opts, () => {
  const template = loadTemplate();
  const site = single(walk(template), "Microsoft.Web/sites").resource;
  assert.equal(template.parameters?.identityType.defaultValue, "SystemAssigned");
  assert.deepEqual(template.parameters?.identityType.allowedValues, ["SystemAssigned", "UserAssigned"]);
  const identity = String(site.identity);
  assert.match(identity, /createObject\('type', 'SystemAssigned'\)/);
  assert.match(identity, /'type', 'UserAssigned', 'userAssignedIdentities'/);
  // The user-assigned identity is only created when asked for.
  assert.match(String(module(template, "identity").condition), /variables\('useUserAssigned'\)/);
});

test(
  "function app: Node 22 on Flex, memory and instance count from parameters, identity-based deployment storage",
  opts,
  () => {
    const template = loadTemplate();
    const site = single(walk(template), "Microsoft.Web/sites").resource;
    const config = site.properties?.functionAppConfig as {
      runtime: { name: string; version: string };
      scaleAndConcurrency: { instanceMemoryMB: string; maximumInstanceCount: string };
      deployment: { storage: { type: string; value: string; authentication: string } };
    };
    assert.equal(config.runtime.name, "node");
    assert.equal(config.runtime.version, "[parameters('nodeVersion')]");
    assert.equal(moduleParam(template, "functionapp", "nodeVersion"), "22");
    assert.equal(config.scaleAndConcurrency.instanceMemoryMB, "[parameters('instanceMemoryMB')]");
    assert.equal(config.scaleAndConcurrency.maximumInstanceCount, "[parameters('maximumInstanceCount')]");
    assert.equal(moduleParam(template, "functionapp", "instanceMemoryMB"), "[parameters('instanceMemoryMB')]");
    assert.equal(moduleParam(template, "functionapp", "maximumInstanceCount"), "[parameters('maximumInstanceCount')]");
    assert.equal(template.parameters?.instanceMemoryMB.type, "int");
    assert.equal(template.parameters?.maximumInstanceCount.type, "int");
    assert.equal(config.deployment.storage.type, "blobContainer");
    assert.match(config.deployment.storage.authentication, /createObject\('type', 'SystemAssignedIdentity'\)/);
    assert.match(
      config.deployment.storage.authentication,
      /'type', 'UserAssignedIdentity', 'userAssignedIdentityResourceId'/,
    );
    assert.doesNotMatch(JSON.stringify(config.deployment), /StorageAccountConnectionString/i);
  },
);

test("storage account: shared keys off, TLS 1.2, no public blob access, OAuth by default, https only", opts, () => {
  const all = walk(loadTemplate());
  const account = single(all, "Microsoft.Storage/storageAccounts").resource;
  assert.equal(account.properties?.allowSharedKeyAccess, false);
  assert.equal(account.properties?.minimumTlsVersion, "TLS1_2");
  assert.equal(account.properties?.allowBlobPublicAccess, false);
  assert.equal(account.properties?.defaultToOAuthAuthentication, true);
  assert.equal(account.properties?.supportsHttpsTrafficOnly, true);
  const containers = ofType(all, "Microsoft.Storage/storageAccounts/blobServices/containers").map((f) => f.resource);
  assert.equal(containers.length, 2, "the deployment package's container and the audit evidence's");
  for (const container of containers) assert.equal(container.properties?.publicAccess, "None");
});

test(
  "role assignments: the app's identity gets the four roles, as a ServicePrincipal, named by scope+principal+role",
  opts,
  () => {
    const assignments = ofType(walk(loadTemplate()), "Microsoft.Authorization/roleAssignments").map((f) => f.resource);
    const forApp = assignments.filter((a) => a.properties?.principalId === "[parameters('appPrincipalId')]");
    const rbacRoles = walk(loadTemplate()).find((f) => f.path.at(-1) === "rbac")?.template.variables?.roles;
    assert.equal((rbacRoles as Record<string, string>).monitoringMetricsPublisher, roleIds.monitoringMetricsPublisher);
    for (const assignment of forApp) {
      assert.equal(assignment.properties?.principalType, "ServicePrincipal");
      assert.match(assignment.name, /^\[guid\(.*parameters\('appPrincipalId'\).*roleDefinitions/);
    }
    const storageScoped = forApp.filter((a) => /storageAccounts/.test(String(a.scope)));
    const insightsScoped = forApp.filter((a) => /components/.test(String(a.scope)));
    assert.equal(storageScoped.length, 1, "storage roles are one loop over the account");
    assert.match(JSON.stringify(storageScoped[0].copy), /appStorageRoles/);
    assert.equal(insightsScoped.length, 1);
    assert.match(JSON.stringify(insightsScoped[0].properties), /variables\('roles'\)\.monitoringMetricsPublisher/);
  },
);

test("role assignments: the storage roles are exactly Blob Data Owner, Queue and Table Data Contributor", opts, () => {
  const rbac = walk(loadTemplate()).find((f) => f.path.at(-1) === "rbac");
  assert.ok(rbac, "rbac module not found");
  const variables = rbac.template.variables as { roles: Record<string, string>; appStorageRoles: string[] };
  const resolved = variables.appStorageRoles.map((ref) => {
    const m = /^\[variables\('roles'\)\.(\w+)\]$/.exec(ref);
    assert.ok(m, `unexpected role reference ${ref}`);
    return variables.roles[m[1]];
  });
  assert.deepEqual(
    [...resolved].sort(),
    [roleIds.storageBlobDataOwner, roleIds.storageQueueDataContributor, roleIds.storageTableDataContributor].sort(),
  );
});

test("Application Insights is workspace-based and Entra-only (local auth off)", opts, () => {
  const all = walk(loadTemplate());
  const insights = single(all, "Microsoft.Insights/components").resource;
  assert.equal(insights.properties?.DisableLocalAuth, true);
  assert.match(String(insights.properties?.WorkspaceResourceId), /Microsoft\.OperationalInsights\/workspaces/);
  const workspace = single(all, "Microsoft.OperationalInsights/workspaces").resource;
  assert.equal((workspace.properties?.features as Record<string, unknown>).disableLocalAuth, true);
});

test(
  "app settings: identity-based AzureWebJobsStorage__*, no plain AzureWebJobsStorage, cloud-neutral URIs",
  opts,
  () => {
    const template = loadTemplate();
    const settings = template.variables?.appSettings as Record<string, string>;
    assert.ok(settings, "main.bicep has no appSettings variable");
    assert.equal(settings.AzureWebJobsStorage__credential, "managedidentity");
    for (const service of ["blob", "queue", "table"]) {
      const uri = settings[`AzureWebJobsStorage__${service}ServiceUri`];
      assert.ok(uri, `AzureWebJobsStorage__${service}ServiceUri is missing`);
      assert.match(
        uri,
        new RegExp(
          `'https://\\{0\\}\\.${service}\\.\\{1\\}', variables\\('storageAccountName'\\), environment\\(\\)\\.suffixes\\.storage`,
        ),
      );
    }
    const everything = JSON.stringify(template);
    assert.doesNotMatch(
      everything,
      /'AzureWebJobsStorage'|"AzureWebJobsStorage"/,
      "a plain AzureWebJobsStorage setting exists",
    );
    const passed = String(moduleParam(template, "functionapp", "appSettings"));
    assert.match(
      passed,
      /^\[union\(parameters\('additionalAppSettings'\), variables\('appSettings'\), union\(createObject\('APPLICATIONINSIGHTS_CONNECTION_STRING'/,
    );
  },
);

test("app settings: Entra-only telemetry and the user-assigned client id only when user-assigned", opts, () => {
  const template = loadTemplate();
  // Settings known only at deployment time are inlined into the module call.
  const runtime = String(moduleParam(template, "functionapp", "appSettings"));
  assert.match(
    runtime,
    /'APPLICATIONINSIGHTS_CONNECTION_STRING', reference\(.*'monitoring'\), '[\d-]+'\)\.outputs\.applicationInsightsConnectionString\.value/,
  );
  assert.match(
    runtime,
    /'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', if\(variables\('useUserAssigned'\), format\('ClientId=\{0\};Authorization=AAD'/,
  );
  assert.match(runtime, /'Authorization=AAD'\)/);
  assert.match(
    runtime,
    /if\(variables\('useUserAssigned'\), createObject\('AzureWebJobsStorage__clientId', .*'AZURE_CLIENT_ID', .*createObject\(\)\)/,
  );
});

test("app settings: every setting the app reads, with the app's defaults", opts, () => {
  const template = loadTemplate();
  const settings = template.variables?.appSettings as Record<string, string>;
  for (const [name, expected] of Object.entries(expectedAppSettings)) {
    assert.ok(name in settings, `app setting ${name} is missing`);
    assert.equal(withDefaults(template, settings[name]), expected, `default of ${name}`);
  }
  assert.deepEqual(template.parameters?.auditRedactUsers.allowedValues, ["none", "hash", "omit"]);
});

test(
  "app settings: every setting src/config.ts reads is set by the template (no setting forgotten as the app grows)",
  opts,
  () => {
    const template = loadTemplate();
    const compileTime = Object.keys(template.variables?.appSettings as Record<string, string>);
    const runtime = String(moduleParam(template, "functionapp", "appSettings"));
    const settingsDir = resolve(__dirname, "..", "..", "src", "settings");
    const source = [
      resolve(settingsDir, "..", "config.ts"),
      ...readdirSync(settingsDir).map((f) => resolve(settingsDir, f)),
    ]
      .map((file) => readFileSync(file, "utf8"))
      .join("\n");
    const read = new Set(
      [...source.matchAll(/\b(?:text|integer|boolean|oneOf(?:<[^>]+>)?)\(env, "([A-Za-z_]+)"/g)].map((m) => m[1]!),
    );
    for (const m of source.matchAll(/`\$\{storagePrefix\}__(\w+)`/g)) read.add(`AzureWebJobsStorage__${m[1]}`);
    assert.ok(read.size >= 20, `found the settings config.ts reads (${read.size})`);
    // Not app settings of this deployment: the platform's own, and the alternatives to identity-based storage URIs.
    const notOurs = new Set([
      "WEBSITE_INSTANCE_ID",
      "AzureWebJobsStorage",
      "AzureWebJobsStorage__accountName",
      "AzureWebJobsStorage__",
    ]);
    for (const name of read) {
      if (notOurs.has(name) || name.endsWith("__${service}ServiceUri")) continue;
      assert.ok(compileTime.includes(name) || runtime.includes(`'${name}'`), `the template sets ${name}`);
    }
  },
);

test("app settings: GRAPH_CLOUD follows the Azure cloud unless overridden", opts, () => {
  const template = loadTemplate();
  const settings = template.variables?.appSettings as Record<string, string>;
  assert.equal(
    settings.GRAPH_CLOUD,
    "[if(not(empty(parameters('graphCloud'))), parameters('graphCloud'), variables('derivedGraphCloud'))]",
  );
  assert.equal(template.parameters?.graphCloud.defaultValue, "");
  assert.deepEqual(template.parameters?.graphCloud.allowedValues, ["", "global", "usgov", "usgovdod", "china"]);
  assert.equal(
    template.variables?.derivedGraphCloud,
    "[if(equals(environment().name, 'AzureUSGovernment'), 'usgov', if(equals(environment().name, 'AzureChinaCloud'), 'china', 'global'))]",
  );
});

test("no account keys, connection strings with keys or public-cloud endpoints anywhere in the template", opts, () => {
  const text = JSON.stringify(loadTemplate());
  assert.doesNotMatch(text, /listKeys|listAccountSas|listServiceSas|listConnectionStrings/i);
  assert.doesNotMatch(text, /AccountKey=|DefaultEndpointsProtocol|SharedAccessSignature/i);
  const withoutSchemas = text.replace(/https:\/\/schema\.management\.azure\.com\/schemas\/[^"]*/g, "");
  assert.doesNotMatch(
    withoutSchemas,
    /core\.windows\.net|graph\.microsoft\.com|login\.microsoftonline\.com|management\.azure\.com/i,
  );
});

test("outputs: what azd and the grant script need, and no secrets", opts, () => {
  const template = loadTemplate();
  const outputs = template.outputs ?? {};
  for (const name of [
    "AZURE_LOCATION",
    "AZURE_TENANT_ID",
    "AZURE_RESOURCE_GROUP",
    "AZURE_FUNCTION_APP_NAME",
    "AZURE_FUNCTION_URI",
    "SERVICE_API_NAME",
    "FUNCTION_PRINCIPAL_ID",
  ]) {
    assert.ok(outputs[name], `output ${name} is missing`);
  }
  for (const [name, output] of Object.entries(outputs)) {
    assert.ok(!/^secure/i.test(output.type), `output ${name} is ${output.type}`);
    assert.doesNotMatch(name, /key|secret|password|token|connection/i, `output ${name} looks like a secret`);
    assert.doesNotMatch(JSON.stringify(output.value), /list\w*\(|connectionString/i, `output ${name} reads a secret`);
  }
  assert.match(String(outputs.FUNCTION_PRINCIPAL_ID.value), /systemAssignedPrincipalId|principalId/);
});

test(
  "alert rule: fires on failed audit runs in Application Insights, e-mail action group only when asked",
  opts,
  () => {
    const template = loadTemplate();
    const all = walk(template);
    const rule = ofType(all, "Microsoft.Insights/scheduledQueryRules").find((f) =>
      /failedRunsQuery/.test(JSON.stringify(f.resource.properties)),
    );
    assert.ok(rule, "no scheduled query rule reads failedRunsQuery");
    const props = rule.resource.properties as {
      scopes: string[];
      enabled: boolean;
      criteria: { allOf: { query: string; operator: string; threshold: number; timeAggregation: string }[] };
      actions: { actionGroups: string };
    };
    assert.equal(props.enabled, true);
    assert.match(props.scopes[0], /Microsoft\.Insights\/components/);
    const criterion = props.criteria.allOf[0];
    assert.equal(criterion.operator, "GreaterThan");
    assert.equal(criterion.threshold, 0);
    assert.equal(criterion.timeAggregation, "Count");
    // The query is infra/queries/alert-failed-runs.kql, loaded into the module (test/infra/portal.test.ts binds it).
    const query = Object.values(rule.template.variables ?? {})
      .map(String)
      .find((text) => text.includes("__AUDIT_FUNCTIONS__"));
    assert.match(String(query), /requests \| where operation_Name in \(__AUDIT_FUNCTIONS__\) and success == false/);
    assert.match(String(query), /message startswith '\{"event":"PrinterAudited"'/);
    assert.match(
      String(rule.template.variables?.failedRunsQuery),
      /replace\(variables\('\$fxv#\d+'\), '__AUDIT_FUNCTIONS__'/,
    );
    assert.deepEqual(template.parameters?.auditFunctionNames.defaultValue, ["auditTimer", "auditPrinter"]);
    const actionGroup = single(all, "Microsoft.Insights/actionGroups").resource;
    assert.equal(actionGroup.condition, "[not(empty(parameters('alertEmail')))]");
    assert.match(props.actions.actionGroups, /if\(empty\(parameters\('alertEmail'\)\), createArray\(\)/);
    assert.equal(template.parameters?.alertEmail.defaultValue, "");
  },
);

test("main.parameters.json feeds azd's environment into parameters the template declares", opts, () => {
  const template = loadTemplate();
  const file = JSON.parse(readFileSync(resolve(repoRoot, "infra", "main.parameters.json"), "utf8")) as {
    parameters: Record<string, { value: unknown }>;
  };
  for (const name of Object.keys(file.parameters)) {
    assert.ok(template.parameters?.[name], `main.parameters.json sets ${name}, which main.bicep does not declare`);
  }
  assert.equal(file.parameters.environmentName.value, "${AZURE_ENV_NAME}");
  assert.equal(file.parameters.location.value, "${AZURE_LOCATION}");
  assert.equal(file.parameters.principalId.value, "${AZURE_PRINCIPAL_ID}");
  const azureYaml = readFileSync(resolve(repoRoot, "azure.yaml"), "utf8");
  assert.match(azureYaml, /^services:\n {2}api:\n {4}project: \.\n {4}language: ts\n {4}host: function$/m);
});

test("the offline template needs no Bicep extension or registry module (the Graph grant stays separate)", opts, () => {
  const template = loadTemplate() as ArmTemplate & {
    imports?: unknown;
    extensions?: unknown;
    languageVersion?: string;
  };
  assert.equal(template.imports, undefined);
  assert.equal(template.extensions, undefined);
  assert.doesNotMatch(JSON.stringify(template), /Microsoft\.Graph\//);
  const sources = [
    "main.bicep",
    ...[
      "monitoring",
      "storage",
      "identity",
      "functionapp",
      "rbac",
      "alerts",
      "entra-auth",
      "entra-auth-off",
      "network",
    ].map((m) => `modules/${m}.bicep`),
  ];
  for (const source of sources) {
    const text = readFileSync(resolve(repoRoot, "infra", source), "utf8");
    assert.doesNotMatch(
      text,
      /^\s*extension\s|br\/public:|br:/m,
      `${source} needs something the offline build cannot restore`,
    );
  }
});
