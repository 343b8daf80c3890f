// additionalAppSettings from main.parameters.json: a host.json override, and a clash with a setting the template owns.
using '../../infra/main.bicep'

param environmentName = 'ci'
param location = 'westeurope'
param identityType = 'UserAssigned'
param additionalAppSettings = {
  AzureFunctionsJobHost__logging__logLevel__default: 'Warning'
  AUDIT_SCHEDULE: '0 0 * * * *'
}
