// Azure Monitor workbook over the app's Application Insights: in the resource group's and the component's workbook
// gallery. Its items live in infra/workbook/audit.workbook.json, which the tests parse and bind query by query.
@description('Azure region of the workbook.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Application Insights component the workbook reads (its sourceId).')
param applicationInsightsName string

@description('Name the workbook shows in the gallery.')
param displayName string

@description('URL of the audit viewer page the workbook links to.')
param viewerUrl string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name is a GUID; this one is stable per component, so a redeploy updates it in place.
  name: guid(applicationInsights.id, 'universal-print-audit-workbook')
  location: location
  tags: union(tags, { 'hidden-title': displayName })
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsights.id
    version: 'Notebook/1.0'
    // Opened from Monitor's gallery (no resource in context), it falls back to the component.
    serializedData: replace(
      replace(loadTextContent('../workbook/audit.workbook.json'), '__VIEWER_URL__', viewerUrl),
      '__APPLICATION_INSIGHTS_ID__',
      applicationInsights.id
    )
  }
}

output workbookId string = workbook.id
