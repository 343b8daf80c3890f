// Log Analytics query pack: the saved queries for the common questions (infra/queries/querypack.json), shown in the
// Logs blade's query gallery of the Application Insights component. They read the same named events as the workbook.
@description('Azure region of the query pack.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Name of the query pack.')
param queryPackName string

var savedQueries = loadJsonContent('../queries/querypack.json')

resource queryPack 'Microsoft.OperationalInsights/queryPacks@2019-09-01' = {
  name: queryPackName
  location: location
  tags: tags
  properties: {}
}

resource queries 'Microsoft.OperationalInsights/queryPacks/queries@2019-09-01' = [
  for query in savedQueries: {
    parent: queryPack
    // Query ids are GUIDs; derived from the pack and the query's stable id, so a redeploy updates it in place.
    name: guid(queryPack.id, query.id)
    properties: {
      displayName: query.displayName
      description: query.description
      body: query.body
      related: {
        categories: [
          'applications'
        ]
        resourceTypes: [
          'microsoft.insights/components'
        ]
      }
      tags: {
        labels: [
          'Universal Print audit'
        ]
      }
    }
  }
]

output queryPackId string = queryPack.id
