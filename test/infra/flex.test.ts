// What ARM would deploy, per scenario, as the Bicep CLI predicts it offline (`bicep snapshot` of
// test/infra-scenarios/*.bicepparam, written by .ci/bicep.sh to dist/infra/snapshots/), held against the rules
// Microsoft publishes for the Flex Consumption plan.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const repoRoot = resolve(__dirname, "..", "..", "..");
const snapshotDir = resolve(repoRoot, "dist", "infra", "snapshots");
const scenarios = ["default", "vnet", "entra", "extras"] as const;
type Scenario = (typeof scenarios)[number];

const missing = scenarios.filter((name) => !existsSync(resolve(snapshotDir, `${name}.json`)));
const opts = {
  skip:
    missing.length > 0 && !process.env.CI
      ? `snapshots ${missing.join(", ")} are missing: run \`npm run infra:build\``
      : false,
};

interface Predicted {
  id: string;
  type: string;
  name: string;
  properties?: Record<string, any>;
  [key: string]: unknown;
}

function snapshot(name: Scenario): Predicted[] {
  const path = resolve(snapshotDir, `${name}.json`);
  if (!existsSync(path)) assert.fail(`${path} is missing: CI must run .ci/bicep.sh before the tests`);
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { predictedResources: Predicted[]; diagnostics: unknown[] };
  assert.deepEqual(parsed.diagnostics, [], `the snapshot of ${name} has diagnostics`);
  return parsed.predictedResources;
}

const ofType = (resources: Predicted[], type: string): Predicted[] =>
  resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
function one(resources: Predicted[], type: string, nameEnd = ""): Predicted {
  const found = ofType(resources, type).filter((r) => r.name.endsWith(nameEnd));
  assert.equal(found.length, 1, `expected one ${type}${nameEnd ? ` named …${nameEnd}` : ""}, found ${found.length}`);
  return found[0]!;
}

// ---- Microsoft's list -------------------------------------------------------------------------------------------------

const appSettingsDoc =
  "MicrosoftDocs/azure-docs articles/azure-functions/functions-app-settings.md#flex-consumption-plan-deprecations";
const considerationsDoc = "MicrosoftDocs/azure-docs articles/azure-functions/flex-consumption-plan.md#considerations";

/** What the Flex Consumption docs call deprecated or unsupported, with where they say it (read 2026-11-29). */
const flexRules: { name: string; kind: "appSetting" | "siteProperty"; source: string }[] = [
  ...[
    "ENABLE_ORYX_BUILD",
    "FUNCTIONS_EXTENSION_VERSION",
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_WORKER_RUNTIME_VERSION",
    "FUNCTIONS_MAX_HTTP_CONCURRENCY",
    "FUNCTIONS_WORKER_PROCESS_COUNT",
    "FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED",
    "SCM_DO_BUILD_DURING_DEPLOYMENT",
    "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    "WEBSITE_CONTENTOVERVNET",
    "WEBSITE_CONTENTSHARE",
    "WEBSITE_DNS_SERVER",
    "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
    "WEBSITE_NODE_DEFAULT_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE",
    "WEBSITE_SKIP_CONTENTSHARE_VALIDATION",
    "WEBSITE_VNET_ROUTE_ALL",
  ].map((name) => ({ name, kind: "appSetting" as const, source: appSettingsDoc })),
  ...[
    "alwaysOn",
    "containerSize",
    "dnsConfiguration",
    "ftpsState",
    "isReserved",
    "IsXenon",
    "javaVersion",
    "LinuxFxVersion",
    "netFrameworkVersion",
    "powerShellVersion",
    "functionAppScaleLimit",
    "preWarmedInstanceCount",
    "use32BitWorkerProcess",
    "vnetBackupRestoreEnabled",
    "vnetContentShareEnabled",
    "vnetImagePullEnabled",
    "vnetRouteAllEnabled",
    "windowsFxVersion",
  ].map((name) => ({ name, kind: "siteProperty" as const, source: appSettingsDoc })),
  // "Certificates: … WEBSITE_LOAD_CERTIFICATES … endToEndEncryptionEnabled are currently not supported."
  { name: "WEBSITE_LOAD_CERTIFICATES", kind: "appSetting", source: considerationsDoc },
  { name: "endToEndEncryptionEnabled", kind: "siteProperty", source: considerationsDoc },
  // "Timezones: WEBSITE_TIME_ZONE and TZ app settings aren't currently supported."
  { name: "WEBSITE_TIME_ZONE", kind: "appSetting", source: considerationsDoc },
  { name: "TZ", kind: "appSetting", source: considerationsDoc },
];

/** Every use of a listed setting or property by the function apps among `resources`. */
function flexViolations(resources: Predicted[]): string[] {
  const settings = new Map(flexRules.filter((r) => r.kind === "appSetting").map((r) => [r.name.toLowerCase(), r]));
  const properties = new Map(flexRules.filter((r) => r.kind === "siteProperty").map((r) => [r.name.toLowerCase(), r]));
  const found: string[] = [];
  const checkSetting = (name: string, where: string): void => {
    const rule = settings.get(name.toLowerCase());
    if (rule) found.push(`${where}: app setting ${name} (${rule.source})`);
  };
  for (const site of ofType(resources, "Microsoft.Web/sites")) {
    const props = site.properties ?? {};
    const siteConfig = (props.siteConfig ?? {}) as Record<string, unknown>;
    // The ARM name of the docs' `isReserved` on a site is `reserved` (a Linux plan's own `reserved` is not the site's).
    for (const key of [...Object.keys(props), ...Object.keys(siteConfig)]) {
      const rule =
        properties.get(key.toLowerCase()) ??
        (key.toLowerCase() === "reserved" ? properties.get("isreserved") : undefined);
      if (rule) found.push(`${site.name}: property ${key} (${rule.source})`);
    }
    for (const entry of (siteConfig.appSettings as { name: string }[] | undefined) ?? [])
      checkSetting(entry.name, site.name);
  }
  for (const config of ofType(resources, "Microsoft.Web/sites/config").filter((r) => /\/appsettings$/i.test(r.name))) {
    for (const name of Object.keys(config.properties ?? {})) checkSetting(name, config.name);
  }
  return found;
}

test("Flex Consumption: no deprecated or unsupported app setting or site property, in any scenario", opts, () => {
  for (const name of scenarios) {
    const resources = snapshot(name);
    assert.ok(ofType(resources, "Microsoft.Web/sites").length === 1, `${name}: one function app`);
    assert.deepEqual(flexViolations(resources), [], `${name} deploys what Flex Consumption does not accept`);
  }
});

test(
  "Flex Consumption: no listed name anywhere in the compiled template, not even in a branch no scenario takes",
  opts,
  () => {
    const text = readFileSync(resolve(repoRoot, "dist", "infra", "main.json"), "utf8");
    for (const rule of flexRules) {
      // As an object key ("name": …) or an ARM expression's literal ('name').
      const used = new RegExp(`"${rule.name}"\\s*:|'${rule.name}'`, "i");
      assert.doesNotMatch(text, used, `${rule.name} (${rule.source})`);
    }
  },
);

test("the Flex check finds what the template used to set (siteConfig.ftpsState) and a deprecated app setting", () => {
  const before: Predicted[] = [
    {
      id: "s",
      type: "Microsoft.Web/sites",
      name: "func-x",
      properties: { siteConfig: { ftpsState: "Disabled", minTlsVersion: "1.2" } },
    },
    {
      id: "c",
      type: "Microsoft.Web/sites/config",
      name: "func-x/appsettings",
      properties: { WEBSITE_RUN_FROM_PACKAGE: "1", AUDIT_SCHEDULE: "x" },
    },
    { id: "p", type: "Microsoft.Web/serverfarms", name: "plan-x", properties: { reserved: true } },
  ];
  const found = flexViolations(before);
  assert.equal(found.length, 2, found.join("\n"));
  assert.match(
    found[0]!,
    /property ftpsState \(MicrosoftDocs\/azure-docs articles\/azure-functions\/functions-app-settings\.md#flex-consumption-plan-deprecations\)/,
  );
  assert.match(found[1]!, /app setting WEBSITE_RUN_FROM_PACKAGE/);
});

test("the template's Flex settings: runtime, deployment and scale live in functionAppConfig", opts, () => {
  const site = one(snapshot("default"), "Microsoft.Web/sites");
  const config = site.properties!.functionAppConfig;
  assert.deepEqual(config.runtime, { name: "node", version: "22" });
  assert.equal(config.deployment.storage.type, "blobContainer");
  assert.equal(config.scaleAndConcurrency.instanceMemoryMB, 2048);
  assert.equal(site.properties!.siteConfig.ftpsState, undefined);
});

// ---- Scale ----------------------------------------------------------------------------------------------------------

test(
  "maximumInstanceCount: 1 to 1000 as the docs allow, default 10, and docs/deploying.md's arithmetic uses host.json's batch size",
  opts,
  () => {
    const template = JSON.parse(readFileSync(resolve(repoRoot, "dist", "infra", "main.json"), "utf8")) as {
      parameters: Record<string, { defaultValue?: unknown; minValue?: number; maxValue?: number }>;
    };
    const parameter = template.parameters.maximumInstanceCount!;
    // flex-consumption-plan.md#considerations: "The lowest maximum scale is currently 1. The highest currently supported value is 1000."
    assert.equal(parameter.minValue, 1);
    assert.equal(parameter.maxValue, 1000);
    assert.equal(parameter.defaultValue, 10);
    assert.equal(
      one(snapshot("default"), "Microsoft.Web/sites").properties!.functionAppConfig.scaleAndConcurrency
        .maximumInstanceCount,
      10,
    );
    const azdParameters = JSON.parse(
      readFileSync(resolve(repoRoot, "infra", "main.parameters.json"), "utf8"),
    ).parameters;
    assert.equal(azdParameters.maximumInstanceCount.value, "${FUNCTION_MAXIMUM_INSTANCE_COUNT=10}");

    const batchSize = JSON.parse(readFileSync(resolve(repoRoot, "host.json"), "utf8")).extensions.queues
      .batchSize as number;
    const readme = readFileSync(resolve(repoRoot, "docs", "deploying.md"), "utf8");
    const row = readme.split("\n").find((line) => line.startsWith("| `FUNCTION_MAXIMUM_INSTANCE_COUNT`"));
    assert.ok(row, "docs/deploying.md has a row for FUNCTION_MAXIMUM_INSTANCE_COUNT");
    assert.ok(
      row.includes(`10 × ${batchSize} = ${10 * batchSize}`),
      `the docs/deploying.md row computes with batchSize ${batchSize}: ${row}`,
    );
    assert.match(row, /1 to 1000/);
  },
);

// ---- Entra sign-in off really is off ----------------------------------------------------------------------------------

test(
  "ENABLE_ENTRA_AUTH=false writes authentication off (so true then false turns it off); true writes it on",
  opts,
  () => {
    for (const name of ["default", "vnet", "extras"] as const) {
      const auth = one(snapshot(name), "Microsoft.Web/sites/config", "/authsettingsV2").properties!;
      assert.equal(auth.platform.enabled, false, `${name}: platform.enabled`);
      assert.equal(auth.globalValidation.requireAuthentication, false);
      assert.equal(auth.globalValidation.unauthenticatedClientAction, "AllowAnonymous");
      assert.equal(auth.identityProviders.azureActiveDirectory.enabled, false);
    }
    const on = one(snapshot("entra"), "Microsoft.Web/sites/config", "/authsettingsV2").properties!;
    assert.equal(on.platform.enabled, true);
    assert.equal(on.globalValidation.requireAuthentication, true);
    assert.equal(on.globalValidation.unauthenticatedClientAction, "Return401");
    assert.equal(
      on.identityProviders.azureActiveDirectory.registration.clientId,
      "11111111-2222-3333-4444-555555555555",
    );
  },
);

// ---- App settings: the template owns the whole set ---------------------------------------------------------------------

test(
  "app settings are one appsettings resource (ARM replaces the set); extra ones come from additionalAppSettings, ours win",
  opts,
  () => {
    for (const name of scenarios) one(snapshot(name), "Microsoft.Web/sites/config", "/appsettings");
    const extras = one(snapshot("extras"), "Microsoft.Web/sites/config", "/appsettings").properties!;
    assert.equal(extras.AzureFunctionsJobHost__logging__logLevel__default, "Warning");
    assert.equal(
      extras.AUDIT_SCHEDULE,
      "0 */10 * * * *",
      "a template setting cannot be overridden by additionalAppSettings",
    );
    assert.ok(extras.AZURE_CLIENT_ID, "the template's identity settings are still there");
    const azdParameters = JSON.parse(
      readFileSync(resolve(repoRoot, "infra", "main.parameters.json"), "utf8"),
    ).parameters;
    assert.deepEqual(azdParameters.additionalAppSettings.value, {});
    const readme = readFileSync(resolve(repoRoot, "docs", "deploying.md"), "utf8");
    assert.match(
      readme,
      /added in the portal .*replaced/i,
      "docs/deploying.md says portal settings do not survive a provision",
    );
    assert.match(readme, /additionalAppSettings/);
  },
);

// ---- The VNet option, both ways -----------------------------------------------------------------------------------------

test(
  "VNet option off (default): no network resources, storage public (Entra-only), the app joins no subnet",
  opts,
  () => {
    const resources = snapshot("default");
    assert.deepEqual(
      resources.filter((r) => r.type.startsWith("Microsoft.Network/")).map((r) => r.type),
      [],
    );
    const account = one(resources, "Microsoft.Storage/storageAccounts").properties!;
    assert.equal(account.publicNetworkAccess, "Enabled");
    assert.equal(account.allowSharedKeyAccess, false);
    const site = one(resources, "Microsoft.Web/sites").properties!;
    assert.ok(site.virtualNetworkSubnetId === undefined || site.virtualNetworkSubnetId === null, "no VNet integration");
    const azdParameters = JSON.parse(
      readFileSync(resolve(repoRoot, "infra", "main.parameters.json"), "utf8"),
    ).parameters;
    assert.equal(azdParameters.vnetEnabled.value, "${VNET_ENABLED=false}");
  },
);

test(
  "VNet option on: the app joins a subnet delegated to Microsoft.App/environments; blob, queue, table only through private endpoints",
  opts,
  () => {
    const resources = snapshot("vnet");
    const vnet = one(resources, "Microsoft.Network/virtualNetworks");
    const subnets = vnet.properties!.subnets as {
      name: string;
      properties: { delegations?: { properties: { serviceName: string } }[] };
    }[];
    const appSubnet = subnets.find((s) =>
      (s.properties.delegations ?? []).some((d) => d.properties.serviceName === "Microsoft.App/environments"),
    );
    assert.ok(appSubnet, "a subnet delegated to Microsoft.App/environments (what Flex Consumption requires)");
    const peSubnet = subnets.find((s) => s !== appSubnet);
    assert.ok(peSubnet, "a separate subnet for the private endpoints");

    const site = one(resources, "Microsoft.Web/sites").properties!;
    assert.equal(site.virtualNetworkSubnetId, `${vnet.id}/subnets/${appSubnet.name}`);

    const account = one(resources, "Microsoft.Storage/storageAccounts");
    assert.equal(account.properties!.publicNetworkAccess, "Disabled");
    assert.deepEqual(account.properties!.networkAcls, { bypass: "None", defaultAction: "Deny" });

    const zones = ofType(resources, "Microsoft.Network/privateDnsZones");
    const links = ofType(resources, "Microsoft.Network/privateDnsZones/virtualNetworkLinks");
    const endpoints = ofType(resources, "Microsoft.Network/privateEndpoints");
    const groups = ofType(resources, "Microsoft.Network/privateEndpoints/privateDnsZoneGroups");
    for (const service of ["blob", "queue", "table"]) {
      // Cloud-neutral zone names: privatelink.<service>.<the cloud's storage suffix>.
      const zone = zones.find(
        (z) => z.name === `[format('privatelink.{0}.{1}', '${service}', environment().suffixes.storage)]`,
      );
      assert.ok(zone, `private DNS zone for ${service}`);
      assert.equal(zone.location, "global");
      const link = links.find((l) => l.name.includes(`'${service}'`));
      assert.ok(link, `the ${service} zone is linked to the VNet`);
      assert.equal(link.properties!.virtualNetwork.id, vnet.id);
      assert.equal(link.properties!.registrationEnabled, false);
      const endpoint = endpoints.find(
        (e) => e.properties!.privateLinkServiceConnections[0].properties.groupIds[0] === service,
      );
      assert.ok(endpoint, `private endpoint for ${service}`);
      assert.equal(endpoint.properties!.privateLinkServiceConnections[0].properties.privateLinkServiceId, account.id);
      assert.equal(endpoint.properties!.subnet.id, `${vnet.id}/subnets/${peSubnet.name}`);
      const group = groups.find((g) => g.name === `${endpoint.name}/default`);
      assert.ok(group, `the ${service} endpoint registers in its zone`);
      assert.match(
        group.properties!.privateDnsZoneConfigs[0].properties.privateDnsZoneId,
        new RegExp(`'privatelink\\.\\{0\\}\\.\\{1\\}', '${service}'`),
      );
    }
    assert.equal(endpoints.length, 3);
  },
);
