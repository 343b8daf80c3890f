// Flex Consumption plan and Linux function app. Identity-only access to storage; no publishing passwords.
@description('Azure region for the resources.')
param location string

@description('Tags applied to every resource; the site also gets azd-service-name.')
param tags object

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app.')
param functionAppName string

@description('azd service name the site is tagged with (must match azure.yaml).')
param serviceName string

@description('Blob endpoint of the storage account, ending in a slash.')
param blobEndpoint string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Resource id of the user-assigned identity; empty for the system-assigned identity.')
param userAssignedIdentityId string

@description('Node.js major version of the Flex runtime.')
param nodeVersion string

@description('Memory of each instance, in MB.')
param instanceMemoryMB int

@description('Upper bound of instances the plan scales out to.')
param maximumInstanceCount int

@description('App settings of the function app (name to value).')
param appSettings object

@description('Origins the browser may call the app from: the Azure portal of this cloud, so its Test/Run works.')
param corsAllowedOrigins array

@description('Subnet (delegated to Microsoft.App/environments) the app joins; empty for no VNet integration.')
param virtualNetworkSubnetId string

var useUserAssigned = !empty(userAssignedIdentityId)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: useUserAssigned
    ? {
        type: 'UserAssigned'
        userAssignedIdentities: {
          '${userAssignedIdentityId}': {}
        }
      }
    : {
        type: 'SystemAssigned'
      }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // No ftpsState, alwaysOn, vnetRouteAllEnabled...: Flex Consumption rejects or ignores them (test/infraFlex.test.ts lists them).
    // Key Vault references (AUDIT_HASH_KEY) resolve with the app's own identity.
    keyVaultReferenceIdentity: useUserAssigned ? userAssignedIdentityId : 'SystemAssigned'
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      // The portal's Test/Run calls the function from the browser; no cookies are sent, so no credentials.
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
    }
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: useUserAssigned
            ? {
                type: 'UserAssignedIdentity'
                userAssignedIdentityResourceId: userAssignedIdentityId
              }
            : {
                type: 'SystemAssignedIdentity'
              }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// ARM replaces the whole set: settings added in the portal are gone after the next provision (infra/README.md says where to put them).
resource appSettingsConfig 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettings
}

// azd deploys with an Entra token; basic-auth publishing (FTP and SCM passwords) stays off.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output functionAppName string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output systemAssignedPrincipalId string = useUserAssigned ? '' : functionApp.identity.principalId
