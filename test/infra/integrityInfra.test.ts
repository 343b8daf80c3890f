// The audit's evidence anchor in the compiled template (dist/infra/main.json, from .ci/bicep.sh): a container with
// version-level immutability and a time-based retention policy that still lets the app append to its append blobs.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";

interface ArmResource {
  type: string;
  name: string;
  properties?: Record<string, any>;
}
interface ArmTemplate {
  parameters?: Record<string, { type: string; defaultValue?: unknown; minValue?: number }>;
  variables?: Record<string, unknown>;
  resources: ArmResource[] | Record<string, ArmResource>;
}

const templatePath = resolve(__dirname, "..", "..", "..", "dist", "infra", "main.json");
const opts = { skip: !existsSync(templatePath) && !process.env.CI ? `${templatePath} is missing: run npm run infra:build` : false };

function resources(template: ArmTemplate): { resource: ArmResource; template: ArmTemplate; module?: string }[] {
  const list = Array.isArray(template.resources) ? template.resources : Object.values(template.resources);
  return list.flatMap((resource) => {
    const nested = resource.properties?.template as ArmTemplate | undefined;
    return resource.type === "Microsoft.Resources/deployments" && nested
      ? [{ resource, template }, ...resources(nested).map((r) => ({ ...r, module: r.module ?? resource.name }))]
      : [{ resource, template }];
  });
}

function load(): ArmTemplate {
  return JSON.parse(readFileSync(templatePath, "utf8")) as ArmTemplate;
}

test("the evidence container has version-level immutability on a versioned blob service", opts, () => {
  const all = resources(load());
  const containers = all.filter((r) => r.resource.type === "Microsoft.Storage/storageAccounts/blobServices/containers");
  const evidence = containers.find((c) => c.resource.properties?.immutableStorageWithVersioning?.enabled === true);
  assert.ok(evidence, "a container with immutableStorageWithVersioning enabled");
  assert.match(evidence.resource.name, /evidenceContainerName/);
  const blobService = all.find((r) => r.resource.type === "Microsoft.Storage/storageAccounts/blobServices")!;
  assert.equal(blobService.resource.properties?.isVersioningEnabled, true, "version-level immutability needs versioning");
});

test("its time-based retention policy lets protected append blobs grow, and its days are a parameter defaulting to 7 years", opts, () => {
  const template = load();
  const all = resources(template);
  const policies = all.filter(
    (r) => r.resource.type === "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies",
  );
  assert.equal(policies.length, 1);
  const policy = policies[0]!;
  assert.equal(policy.resource.properties?.allowProtectedAppendWrites, true);
  assert.equal(policy.resource.properties?.allowProtectedAppendWritesAll, false, "the two are mutually exclusive");
  assert.equal(policy.resource.properties?.immutabilityPeriodSinceCreationInDays, "[parameters('evidenceRetentionDays')]");
  assert.equal(template.parameters?.evidenceRetentionDays?.defaultValue, 2557);
  assert.equal(template.parameters?.auditEvidenceContainer?.defaultValue, "audit-evidence");
  const settings = JSON.stringify(template.variables?.appSettings ?? template);
  assert.match(settings, /AUDIT_EVIDENCE_CONTAINER/);
});

test("the app may append (it holds Storage Blob Data Owner) and the deployer may read the evidence to verify it", opts, () => {
  const rbac = resources(load()).find((r) => r.module === "rbac" && r.template.variables?.roles)!;
  const roles = rbac.template.variables!.roles as Record<string, string>;
  assert.equal(roles.storageBlobDataOwner, "b7e6dc6d-f1e8-4753-8033-0f276bb0955b");
  assert.equal(roles.storageBlobDataReader, "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1");
  assert.match(JSON.stringify(rbac.template.variables!.deployerStorageRoles), /storageBlobDataReader/);
});
