// App Service authentication written explicitly off. Deployed when ENABLE_ENTRA_AUTH is false, so switching the option
// from true to false turns sign-in off: leaving the resource out would keep the previous deployment's settings.
@description('Name of the existing function app.')
param functionAppName string

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: false
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: false
      }
    }
  }
}
