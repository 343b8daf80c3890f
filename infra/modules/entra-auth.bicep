// App Service authentication (Easy Auth) with Microsoft Entra ID in front of the function app. The platform checks
// the bearer token before the Functions host runs; function keys are still checked after it, per route.
@description('Name of the existing function app.')
param functionAppName string

@description('Client (application) id of the Entra app registration that represents the function app API.')
@minLength(36)
@maxLength(36)
param clientId string

@description('Tenant whose tokens are accepted.')
@minLength(36)
@maxLength(36)
param tenantId string

@description('Token audiences accepted (aud claim).')
@minLength(1)
param allowedAudiences array

@description('Client application ids allowed to call (appid/azp claim); empty allows any client of the tenant.')
param allowedClientApplications array

@description('Paths served without a token (the OpenAPI definition holds no data).')
param excludedPaths array

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: excludedPaths
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: allowedAudiences
          defaultAuthorizationPolicy: {
            allowedApplications: allowedClientApplications
          }
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output issuer string = authSettings.properties.identityProviders.azureActiveDirectory.registration.openIdIssuer
