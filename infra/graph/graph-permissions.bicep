// Alternative to `npm run grant-graph-permissions`, for deployers who can restore the Microsoft Graph Bicep extension
// (Bicep CLI >= 0.36.1 with access to mcr.microsoft.com). NOT part of the offline build: main.bicep does not reference
// it and CI does not compile it. Deploy after `azd up`, as someone with Privileged Role Administrator:
//   az deployment group create -g <AZURE_RESOURCE_GROUP> -f infra/graph/graph-permissions.bicep \
//     -p principalId=<FUNCTION_PRINCIPAL_ID>
// The Graph extension supports the global cloud only; elsewhere use the npm script.
extension microsoftGraphV1

@description('Object id of the function app\'s managed identity (the FUNCTION_PRINCIPAL_ID output of main.bicep).')
@minLength(36)
@maxLength(36)
param principalId string

// Microsoft Graph's well-known application id, the same in every tenant.
var graphAppId = '00000003-0000-0000-c000-000000000000'

// What the app needs, and nothing more.
var requiredRoles = [
  'PrintJob.ReadBasic.All'
  'Printer.Read.All'
]

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

// Role ids are looked up by value rather than hard-coded. appRoleAssignedTo is idempotent on re-deploy.
resource graphRoleGrants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [
  for role in requiredRoles: {
    principalId: principalId
    resourceId: graph.id
    appRoleId: filter(graph.appRoles, r => r.value == role)[0].id
  }
]

output grantedRoles array = [for (role, i) in requiredRoles: '${role} (${graphRoleGrants[i].id})']
