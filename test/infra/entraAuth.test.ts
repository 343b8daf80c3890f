// Entra sign-in (App Service authentication) as an option of infra/main.bicep, asserted on the compiled template
// (dist/infra/main.json, made by .ci/bicep.sh or `npm run infra:build`).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";

const templatePath = resolve(__dirname, "..", "..", "..", "dist", "infra", "main.json");
const missing = !existsSync(templatePath);
const opts = { skip: missing && !process.env.CI ? `${templatePath} is missing: run \`npm run infra:build\`` : false };

interface Resource {
  type: string;
  name: string;
  condition?: unknown;
  dependsOn?: string[];
  properties?: Record<string, any>;
}
interface Template {
  parameters: Record<string, { type: string; defaultValue?: unknown }>;
  variables: Record<string, unknown>;
  resources: Resource[] | Record<string, Resource>;
}

function load(): Template {
  if (missing) assert.fail(`${templatePath} is missing: CI must run .ci/bicep.sh before the tests`);
  return JSON.parse(readFileSync(templatePath, "utf8")) as Template;
}
const list = (t: Template): Resource[] => (Array.isArray(t.resources) ? t.resources : Object.values(t.resources));

function entraModule(template: Template): Resource {
  const found = list(template).find((r) => r.type === "Microsoft.Resources/deployments" && r.name === "entra-auth");
  assert.ok(found, "module entra-auth not found");
  return found;
}

function authSettings(template: Template): Resource {
  const nested = entraModule(template).properties!.template as Template;
  const config = list(nested).filter((r) => r.type === "Microsoft.Web/sites/config");
  assert.equal(config.length, 1);
  assert.match(config[0]!.name, /'authsettingsV2'/);
  return config[0]!;
}

test("Entra sign-in is a parameter, off by default", opts, () => {
  const template = load();
  assert.equal(template.parameters.enableEntraAuth!.type, "bool");
  assert.equal(template.parameters.enableEntraAuth!.defaultValue, false);
  assert.equal(
    entraModule(template).condition,
    "[parameters('enableEntraAuth')]",
    "sign-in settings are only deployed when asked for",
  );
  // Otherwise they are written off, so that true then false turns sign-in off (test/infra/flex.test.ts checks the values).
  const off = list(template).find((r) => r.type === "Microsoft.Resources/deployments" && r.name === "entra-auth-off");
  assert.equal(off?.condition, "[not(parameters('enableEntraAuth'))]");
  for (const name of ["entraClientId", "entraTenantId", "entraAllowedAudiences", "entraAllowedClientApplications"]) {
    assert.ok(template.parameters[name], `parameter ${name}`);
  }
  assert.equal(template.parameters.entraTenantId!.defaultValue, "[tenant().tenantId]");
  const azdParameters = JSON.parse(
    readFileSync(resolve(__dirname, "..", "..", "..", "infra", "main.parameters.json"), "utf8"),
  ).parameters;
  assert.equal(azdParameters.enableEntraAuth.value, "${ENABLE_ENTRA_AUTH=false}");
  assert.equal(azdParameters.entraClientId.value, "${ENTRA_CLIENT_ID=}");
});

test("when on: every request needs a token (401 without), except the OpenAPI definition", opts, () => {
  const template = load();
  const settings = authSettings(template).properties!;
  assert.equal(settings.platform.enabled, true);
  assert.equal(settings.globalValidation.requireAuthentication, true);
  assert.equal(settings.globalValidation.unauthenticatedClientAction, "Return401");
  assert.equal(settings.globalValidation.excludedPaths, "[parameters('excludedPaths')]");
  assert.deepEqual(entraModule(template).properties!.parameters.excludedPaths.value, [
    "/api/openapi.json",
    "/api/audit/ui",
  ]);
  assert.equal(settings.login.tokenStore.enabled, false, "an API keeps no token store");
});

test(
  "when on: Entra ID of the right cloud and tenant, with the allowed audiences and client applications",
  opts,
  () => {
    const template = load();
    const aad = authSettings(template).properties!.identityProviders.azureActiveDirectory;
    assert.equal(aad.enabled, true);
    assert.equal(aad.registration.clientId, "[parameters('clientId')]");
    assert.equal(
      aad.registration.openIdIssuer,
      "[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, parameters('tenantId'))]",
    );
    assert.equal(aad.validation.allowedAudiences, "[parameters('allowedAudiences')]");
    assert.equal(
      aad.validation.defaultAuthorizationPolicy.allowedApplications,
      "[parameters('allowedClientApplications')]",
    );
    const params = entraModule(template).properties!.parameters;
    assert.equal(params.clientId.value, "[parameters('entraClientId')]");
    assert.equal(params.tenantId.value, "[parameters('entraTenantId')]");
    // Default audiences: the App ID URI and the bare client id (v1 and v2 tokens name the audience differently).
    assert.match(
      String(template.variables.entraAudiences),
      /createArray\(format\('api:\/\/\{0\}', parameters\('entraClientId'\)\), parameters\('entraClientId'\)\)/,
    );
    assert.match(
      String(template.variables.entraClientApplications),
      /split\(parameters\('entraAllowedClientApplications'\), ','\)/,
    );
  },
);

test("turned on without a client id, the deployment stops before touching the app", opts, () => {
  const nested = entraModule(load()).properties!.template as Template & {
    parameters: Record<string, { minLength?: number }>;
  };
  assert.equal(nested.parameters.clientId!.minLength, 36, "clientId must be a GUID-length value");
  assert.equal(nested.parameters.tenantId!.minLength, 36);
});

test("the sign-in settings apply to the app the template creates, after it exists", opts, () => {
  const template = load();
  const module = entraModule(template);
  assert.equal(module.properties!.parameters.functionAppName.value, "[variables('appName')]");
  assert.ok(
    (module.dependsOn ?? []).some((d) => /'functionapp'/.test(d)),
    "deployed after the function app",
  );
});
