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

@description('Severity of the alert: 0 critical to 4 verbose.')
@minValue(0)
@maxValue(4)
param severity int

var functionNameList = join(map(auditFunctionNames, name => '\'${name}\''), ', ')

// Failed invocations of the audit functions, plus the app's own "AuditRunFailed …" log line for failures it catches
// (traces; customEvents too, should a later version emit it as an event). MissingRoles is the line's
// "missingRoles=A,B" (the Graph application roles the app's token lacked), 'none' otherwise; the alert splits on it,
// so a fired alert names the roles.
var failedRunsQuery = '''
union
  (requests | where operation_Name in ({0}) and success == false | project timestamp, operation_Name, MissingRoles = 'none'),
  (traces | where message startswith 'AuditRunFailed' | project timestamp, operation_Name, MissingRoles = extract(@'missingRoles=([A-Za-z0-9._,-]+)', 1, message)),
  (customEvents | where name == 'AuditRunFailed' | project timestamp, operation_Name, MissingRoles = tostring(customDimensions.missingRoles))
| extend MissingRoles = iff(isempty(MissingRoles), 'none', MissingRoles)
'''

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
    description: 'An audit run (timer or per-printer queue function) failed; see the failed requests and AuditRunFailed events in Application Insights. When the MissingRoles dimension is not none, Microsoft Graph refused the app and its token lacks those application roles: grant them (npm run grant-graph-permissions), then restart the function app so it asks for a new token (a cached managed-identity token can otherwise take up to about 24 hours).'
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
          query: format(failedRunsQuery, functionNameList)
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

output alertRuleName string = auditFailedAlert.name
