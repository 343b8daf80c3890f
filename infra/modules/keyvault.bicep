// The vault of the audit's pseudonym key (AUDIT_HASH_KEY). RBAC only, no access policies, no secret created here:
// the app creates the secret itself on its first audit run, so its value never passes through a deployment.
// Purge protection on: a deleted key or vault stays recoverable for 90 days (see infra/README.md for azd down/up).
@description('Azure region for the vault.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Name of the vault (3-24 letters, digits and dashes).')
@minLength(3)
@maxLength(24)
param keyVaultName string

@description('Object id of the app\'s managed identity: the one principal with a data role on the vault.')
param appPrincipalId string

// The app reads the key and creates it once; it may not delete or purge it (Key Vault Secrets Officer could both).
var keyUserDataActions = [
  'Microsoft.KeyVault/vaults/secrets/getSecret/action'
  'Microsoft.KeyVault/vaults/secrets/readMetadata/action'
  'Microsoft.KeyVault/vaults/secrets/setSecret/action'
]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Nobody, the app included, can purge the key or the vault while they are soft-deleted; they can be recovered.
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForTemplateDeployment: false
    enabledForDiskEncryption: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

// A custom role scoped to this resource group (role names are unique per tenant, so it carries the vault's name).
resource keyUserRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, keyVaultName, 'audit pseudonym key user')
  properties: {
    roleName: 'Audit pseudonym key user (${keyVaultName})'
    description: 'Read and create the audit pseudonym key secret; no delete, purge, backup or restore.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: keyUserDataActions
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

// Role definitions live at the subscription whatever scope deploys them; an assignment names them by that id.
resource appKeyUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyUserRole.name))
  scope: vault
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyUserRole.name)
  }
}

output keyVaultName string = vault.name
