/**
 * Where the pseudonym key comes from, proven on the compiled template (dist/infra/main.json, built by
 * .ci/bicep.sh): a Key Vault secret referenced by AUDIT_HASH_KEY, created by the app, so no parameter,
 * variable or output of the deployment derives or carries it.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";

const templatePath = resolve(__dirname, "..", "..", "..", "dist", "infra", "main.json");
const missing = !existsSync(templatePath);
const opts = { skip: missing && !process.env.CI ? `${templatePath} is missing: run \`npm run infra:build\`` : false };

type Json = Record<string, any>;
const load = (): Json => {
  assert.ok(!missing, "CI must run .ci/bicep.sh before the tests");
  return JSON.parse(readFileSync(templatePath, "utf8")) as Json;
};
const resources = (t: Json): Json[] => (Array.isArray(t.resources) ? t.resources : Object.values(t.resources ?? {}));
const moduleNamed = (t: Json, name: string): Json =>
  resources(t).find((r) => r.type === "Microsoft.Resources/deployments" && r.name === name)!;
/** Every template, the top-level one and each module's, with its resources. */
const templates = (t: Json): Json[] => [
  t,
  ...resources(t).flatMap((r) => (r.properties?.template ? templates(r.properties.template) : [])),
];

test(
  "AUDIT_HASH_KEY is the versionless URL of the secret in the app's own vault, read by the app itself (no platform reference)",
  opts,
  () => {
    const t = load();
    assert.equal(
      t.variables.appSettings.AUDIT_HASH_KEY,
      "[format('https://{0}{1}/secrets/audit-hash-key', variables('keyVaultName'), environment().suffixes.keyvaultDns)]",
    );
    assert.doesNotMatch(JSON.stringify(t.variables.appSettings), /@Microsoft\.KeyVault/);
    assert.equal(t.variables.keyVaultName, "[format('kv-{0}', variables('resourceToken'))]");
    const passed = JSON.stringify(moduleNamed(t, "functionapp").properties.parameters.appSettings);
    assert.doesNotMatch(passed, /AUDIT_HASH_SALT|hashSalt/);
  },
);

test(
  "no parameter, variable, module parameter or output derives or carries a key: the secret is created by the app, not the deployment",
  opts,
  () => {
    const t = load();
    const all = templates(t);
    for (const template of all) {
      for (const name of Object.keys(template.parameters ?? {}))
        assert.doesNotMatch(name, /salt|hashKey|auditHash/i, `parameter ${name}`);
      assert.doesNotMatch(
        JSON.stringify(template.outputs ?? {}),
        /hash|salt|secret|keyvault\(|listSecrets/i,
        "an output names the key",
      );
      assert.ok(
        !resources(template).some((r) => /Microsoft\.KeyVault\/vaults\/secrets/i.test(r.type)),
        "the deployment writes no secret (its value would be a deployment input)",
      );
    }
    // The old derivation (uniqueString of subscription, environment and location) is gone from everything.
    assert.doesNotMatch(JSON.stringify(t), /audit-hash-salt|AUDIT_HASH_SALT/);
    // Only compile-time text reaches the setting: a plain string naming the vault, never a value from a parameter or output.
    assert.doesNotMatch(
      String(t.variables.appSettings.AUDIT_HASH_KEY),
      /parameters\(|reference\(|listKeys|newGuid|uniqueString/,
    );
  },
);

const keyUserDataActions = [
  "Microsoft.KeyVault/vaults/secrets/getSecret/action",
  "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
  "Microsoft.KeyVault/vaults/secrets/setSecret/action",
];

test(
  "the vault: RBAC only, soft delete and purge protection on, the app's identity the one principal with a data role",
  opts,
  () => {
    const t = load();
    const kv = moduleNamed(t, "keyvault");
    assert.ok(kv, "main.bicep deploys modules/keyvault.bicep");
    const inner = kv.properties.template as Json;
    const vault = resources(inner).find((r) => r.type === "Microsoft.KeyVault/vaults")!;
    assert.equal(vault.properties.enableRbacAuthorization, true);
    assert.equal(vault.properties.enableSoftDelete, true);
    assert.equal(vault.properties.enablePurgeProtection, true, "nobody can purge the key or the vault");
    assert.equal(vault.properties.accessPolicies, undefined, "no access policies");
    assert.equal(vault.properties.enabledForTemplateDeployment, false, "ARM cannot read its secrets into a deployment");
    const assignments = resources(inner).filter((r) => r.type === "Microsoft.Authorization/roleAssignments");
    assert.equal(assignments.length, 1);
    assert.equal(assignments[0]!.properties.principalId, "[parameters('appPrincipalId')]");
    assert.equal(assignments[0]!.properties.principalType, "ServicePrincipal");
    assert.match(JSON.stringify(kv.properties.parameters.appPrincipalId), /systemAssignedPrincipalId|principalId/);
    // The module gets names and the principal id only: no object parameter that could carry a secret.
    for (const [name, p] of Object.entries(inner.parameters as Json)) {
      assert.notEqual((p as Json).type, "secureObject", name);
      assert.ok(name === "tags" || (p as Json).type !== "object", `${name} is not a plain object`);
    }
  },
);

test("the app's role on the vault reads and creates the secret and can neither delete nor purge it", opts, () => {
  const inner = moduleNamed(load(), "keyvault").properties.template as Json;
  const roles = resources(inner).filter((r) => r.type === "Microsoft.Authorization/roleDefinitions");
  assert.equal(roles.length, 1, "one custom role");
  const role = roles[0]!;
  assert.equal(role.properties.type, "CustomRole");
  assert.equal(role.properties.permissions.length, 1);
  const permission = role.properties.permissions[0] as Json;
  const dataActions = String(permission.dataActions).startsWith("[variables('")
    ? inner.variables[/variables\('(\w+)'\)/.exec(permission.dataActions)![1]!]
    : permission.dataActions;
  assert.deepEqual([...dataActions].sort(), keyUserDataActions, "exactly read, read metadata and set");
  for (const action of dataActions as string[]) {
    assert.doesNotMatch(action, /\*|delete|purge|backup|restore|recover/i, action);
  }
  assert.deepEqual(permission.actions, [], "no control-plane action (the vault itself cannot be deleted by the app)");
  assert.deepEqual(role.properties.assignableScopes, ["[resourceGroup().id]"]);
  // The one assignment grants that role, not a built-in one (Key Vault Secrets Officer could delete and purge).
  const assignment = resources(inner).find((r) => r.type === "Microsoft.Authorization/roleAssignments")!;
  const roleId = String(assignment.properties.roleDefinitionId);
  assert.match(
    roleId,
    /^\[subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', guid\(resourceGroup\(\)\.id, /,
  );
  assert.ok(roleId.includes(String(role.name).replace(/^\[|\]$/g, "")), "the assignment names the custom role");
  assert.doesNotMatch(JSON.stringify(inner), /b86a8fe4-44ce-4948-aee5-eccb2c155cd7/, "no Key Vault Secrets Officer");
});

test(
  "APP_SERVICE_AUTH_ENABLED follows enableEntraAuth, so principal headers are believed only behind App Service authentication",
  opts,
  () => {
    const t = load();
    assert.equal(
      t.variables.appSettings.APP_SERVICE_AUTH_ENABLED,
      "[if(parameters('enableEntraAuth'), 'true', 'false')]",
    );
    assert.equal(t.parameters.enableEntraAuth.defaultValue, false);
  },
);

test("the site resolves Key Vault references with the app's own identity", opts, () => {
  const t = load();
  const inner = moduleNamed(t, "functionapp").properties.template as Json;
  const site = resources(inner).find((r) => r.type === "Microsoft.Web/sites")!;
  assert.equal(
    site.properties.keyVaultReferenceIdentity,
    "[if(variables('useUserAssigned'), parameters('userAssignedIdentityId'), 'SystemAssigned')]",
  );
});
