// Log alert on Application Insights that fires when an audit run fails, with an optional e-mail action group.
@description('Azure region of the Application Insights component.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Application Insights component the rule queries.')
param applicationInsightsName string

@description('Name of the scheduled query rule.')
param alertRuleName string

@description('Name of the action group (used only when alertEmail is set).')
param actionGroupName string

@description('E-mail address notified when the rule fires; empty for no action group.')
param alertEmail string

@description('Names of the functions whose failed invocations count as failed audit runs.')
param auditFunctionNames array

@description('How often the rule runs (ISO 8601 duration).')
param evaluationFrequency string

@description('Time window the rule looks back over (ISO 8601 duration).')
param windowSize string

@description('A printer whose last good run is older than this many minutes raises the stale-audit alert.')
@minValue(30)
param staleAfterMinutes int

@description('Name of the scheduled query rule for stale audits.')
param staleAlertRuleName string

@description('Severity of the alert: 0 critical to 4 verbose.')
@minValue(0)
@maxValue(4)
param severity int

var functionNameList = join(map(auditFunctionNames, name => '\'${name}\''), ', ')

// The queries live in infra/queries/*.kql (the tests parse and bind them) and read the app's named events.
// Failed invocations of the audit functions, plus the PrinterAudited events whose outcome is failed, split by
// MissingRoles (the Graph application roles the app's token lacked; 'none' otherwise), so a fired alert names them.
var failedRunsQuery = replace(loadTextContent('../queries/alert-failed-runs.kql'), '__AUDIT_FUNCTIONS__', functionNameList)
var staleAuditQuery = replace(loadTextContent('../queries/alert-stale-audit.kql'), '__STALE_MINUTES__', string(staleAfterMinutes))

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    enabled: true
    groupShortName: 'printaudit'
    emailReceivers: [
      {
        name: 'audit-owner'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource auditFailedAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: alertRuleName
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Universal Print audit run failed'
    description: 'An audit run (timer or per-printer queue function) failed; see the failed requests and the PrinterAudited events with outcome failed in Application Insights (the workbook Universal Print audit shows them by reason). When the MissingRoles dimension is not none, Microsoft Graph refused the app and its token lacks those application roles: grant them (npm run grant-graph-permissions), then restart the function app so it asks for a new token (a cached managed-identity token can otherwise take up to about 24 hours).'
    severity: severity
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: evaluationFrequency
    windowSize: windowSize
    autoMitigate: true
    // A brand-new component may not expose its tables to validation yet; the query is asserted in tests instead.
    skipQueryValidation: true
    criteria: {
      allOf: [
        {
          query: failedRunsQuery
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'MissingRoles'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: empty(alertEmail) ? [] : [actionGroup.id]
    }
  }
}

// A printer whose audit stopped succeeding (failing every attempt, or its runs no longer finishing), one alert per printer.
resource staleAuditAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: staleAlertRuleName
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Universal Print audit is stale'
    description: 'A printer audited in the last day has had no successful run for ${staleAfterMinutes} minutes. The workbook Universal Print audit shows each printer\'s minutes since its last good run and the reasons its runs failed.'
    severity: severity
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P1D'
    autoMitigate: true
    skipQueryValidation: true
    criteria: {
      allOf: [
        {
          query: staleAuditQuery
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'PrinterId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: empty(alertEmail) ? [] : [actionGroup.id]
    }
  }
}

output alertRuleName string = auditFailedAlert.name
output staleAlertRuleName string = staleAuditAlert.name
