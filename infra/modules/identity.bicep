// Optional user-assigned managed identity for the function app.
@description('Azure region for the resource.')
param location string

@description('Tags applied to the resource.')
param tags object

@description('Name of the user-assigned identity.')
param identityName string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
