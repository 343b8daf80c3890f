// Universal Print audit: Flex Consumption function app with a managed identity, Entra-only storage and telemetry.
// Deploy with `azd up`: its postprovision hook grants the Graph app roles before the code is deployed (see infra/README.md).
targetScope = 'subscription'

// ---- Environment --------------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds the resource token.')
param environmentName string

@minLength(1)
@description('Azure region for every resource (must offer the Flex Consumption plan).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the deploying user or pipeline (AZURE_PRINCIPAL_ID); read-only data roles go to it.')
param principalId string = ''

@description('Kind of principal principalId is.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Grant principalId read-only access to the audit tables and queue (Storage Table/Queue Data Reader).')
param grantDeployerReadAccess bool = true

@description('Name of the resource group; default rg-<environmentName>.')
param resourceGroupName string = ''

@description('Name of the function app; default func-<token>.')
param functionAppName string = ''

// ---- Hosting ------------------------------------------------------------------------------------------------------

@description('Managed identity of the app: SystemAssigned (default) or a UserAssigned identity created here.')
@allowed([
  'SystemAssigned'
  'UserAssigned'
])
param identityType string = 'SystemAssigned'

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

// 10 instances x 16 queue messages each (host.json batchSize) = at most 160 printers audited at once; see infra/README.md.
@description('Upper bound of Flex Consumption instances (1 to 1000); kept low because Graph throttles the app per tenant.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 10

@description('Storage account redundancy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Put the storage account behind private endpoints (blob, queue, table) on a new VNet the function app joins; public network access to storage is then off.')
param vnetEnabled bool = false

@description('Days Log Analytics keeps telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

// ---- App settings (the names the app reads) -----------------------------------------------------------------------

@description('Graph national cloud; empty derives it from the Azure cloud this is deployed to.')
@allowed([
  ''
  'global'
  'usgov'
  'usgovdod'
  'china'
])
param graphCloud string = ''

@description('Graph base URL override (https); empty lets the app derive it from GRAPH_CLOUD.')
param graphBaseUrl string = ''

@description('NCRONTAB schedule (UTC, six fields) of the audit timer.')
param auditSchedule string = '0 */10 * * * *'

@description('Comma-separated printer ids to audit; empty with auditDiscoverPrinters=false audits nothing.')
param auditPrinterIds string = ''

@description('Audit every printer the identity can list, in addition to auditPrinterIds.')
param auditDiscoverPrinters bool = false

@description('Storage queue the audit timer fans out per-printer work on (at most 56 characters, so that its -poison queue fits the 63 allowed).')
@minLength(3)
@maxLength(56)
param auditQueueName string = 'print-audit'

@description('Prefix of the audit tables (a letter, then letters and digits).')
@minLength(1)
@maxLength(40)
param auditTablePrefix string = 'printaudit'

@description('How user names are stored: none (as is), hash, or omit.')
@allowed([
  'none'
  'hash'
  'omit'
])
param auditRedactUsers string = 'none'

@description('Leave document names out of the audit.')
param auditOmitDocumentNames bool = false

@description('Days audit rows are kept before the retention job deletes them.')
@minValue(1)
@maxValue(36500)
param auditRetentionDays int = 400

@description('NCRONTAB schedule (UTC, six fields) of the retention job.')
param auditRetentionSchedule string = '0 30 3 * * *'

@description('Blob container of the audit\'s tamper evidence (digests of the job facts, appended to immutable append blobs).')
@minLength(3)
@maxLength(63)
param auditEvidenceContainer string = 'audit-evidence'

@description('Days the evidence stays immutable (version-level, time-based retention); default 7 years. Locking the policy is a one-way step taken after deployment (docs/integrity.md).')
@minValue(1)
@maxValue(146000)
param evidenceRetentionDays int = 2557

@description('Deadline of one Graph HTTP request, in milliseconds.')
@minValue(1000)
@maxValue(220000)
param httpDeadlineMs int = 25000

@description('Retries of a Graph request (429/503 after Retry-After, 5xx and network errors with backoff).')
@minValue(0)
@maxValue(10)
param graphMaxRetries int = 3

@description('Exponential backoff base of Graph retries, in milliseconds.')
@minValue(1)
@maxValue(60000)
param graphRetryDelayMs int = 1000

@description('Exponential backoff cap of Graph retries, in milliseconds.')
@minValue(1)
@maxValue(300000)
param graphMaxRetryDelayMs int = 30000

@description('Each try of a Graph request gives up after this many milliseconds (then it is retried).')
@minValue(100)
@maxValue(120000)
param graphTryTimeoutMs int = 10000

@description('HTTP callers get 429 + Retry-After instead of waiting when Graph asks for a longer pause than this (ms).')
@minValue(0)
@maxValue(300000)
param graphMaxRetryAfterMs int = 5000

@description('More app settings (name to value), e.g. host.json overrides; set them in main.parameters.json. The template\'s own settings win on a clash, and settings added in the portal are replaced on every provision.')
param additionalAppSettings object = {}

@description('Absolute origin for links the app hands out (nextLink, Location), e.g. https://print.contoso.com; empty: the request\'s own.')
param publicBaseUrl string = ''

// ---- Entra sign-in (App Service authentication) ------------------------------------------------------------------

@description('Require a Microsoft Entra ID token on every route but /api/openapi.json and the viewer page /api/audit/ui (Easy Auth); function keys still apply.')
param enableEntraAuth bool = false

@description('Client id of the app registration that represents the function app API (needed when enableEntraAuth).')
param entraClientId string = ''

@description('Tenant whose tokens are accepted; default the deployment tenant.')
param entraTenantId string = tenant().tenantId

@description('Comma-separated token audiences; default api://<entraClientId> and <entraClientId>.')
param entraAllowedAudiences string = ''

@description('Comma-separated client application ids allowed to call (e.g. the connector\'s app registration); empty allows any.')
param entraAllowedClientApplications string = ''

// ---- Alerting -----------------------------------------------------------------------------------------------------

@description('E-mail address told when an audit run fails; empty creates the alert rule without an action group.')
param alertEmail string = ''

@description('Functions whose failed invocations count as failed audit runs.')
param auditFunctionNames array = [
  'auditTimer'
  'auditPrinter'
]

@description('Severity of the failed-audit alert: 0 critical to 4 verbose.')
@minValue(0)
@maxValue(4)
param alertSeverity int = 2

@description('A printer whose last good audit run is older than this many minutes raises the stale-audit alert.')
@minValue(30)
param auditStaleAfterMinutes int = 120

// ---- Names --------------------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var appName = !empty(functionAppName) ? functionAppName : 'func-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'
var deploymentContainerName = 'app-package-${take(appName, 32)}-${take(resourceToken, 7)}'
var useUserAssigned = identityType == 'UserAssigned'
var keyVaultName = 'kv-${resourceToken}'

// Graph cloud of the Azure cloud we deploy to; usgovdod cannot be told apart from usgov, so it is set explicitly.
var derivedGraphCloud = environment().name == 'AzureUSGovernment'
  ? 'usgov'
  : environment().name == 'AzureChinaCloud' ? 'china' : 'global'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: applicationInsightsName
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    storageAccountName: storageAccountName
    skuName: storageSkuName
    deploymentContainerName: deploymentContainerName
    auditQueueName: auditQueueName
    evidenceContainerName: auditEvidenceContainer
    evidenceRetentionDays: evidenceRetentionDays
    publicNetworkAccess: !vnetEnabled
  }
}

// Optional private networking, as Microsoft's Flex Consumption quickstart does it: storage only through private endpoints.
module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: rg
  params: {
    location: location
    tags: tags
    vnetName: 'vnet-${resourceToken}'
    storageAccountName: storageAccountName
  }
  dependsOn: [
    storage
  ]
}

module userIdentity 'modules/identity.bicep' = if (useUserAssigned) {
  name: 'identity'
  scope: rg
  params: {
    location: location
    tags: tags
    identityName: 'id-${resourceToken}'
  }
}

// Every setting the app reads, in one place. Storage is reached by identity only: service URIs, never a key.
// Only compile-time values here, so the compiled template keeps this as a plain object (tests read it).
var appSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__blobServiceUri: 'https://${storageAccountName}.blob.${environment().suffixes.storage}'
  AzureWebJobsStorage__queueServiceUri: 'https://${storageAccountName}.queue.${environment().suffixes.storage}'
  AzureWebJobsStorage__tableServiceUri: 'https://${storageAccountName}.table.${environment().suffixes.storage}'
  GRAPH_CLOUD: !empty(graphCloud) ? graphCloud : derivedGraphCloud
  GRAPH_BASE_URL: graphBaseUrl
  CREDENTIAL_MODE: 'managedIdentity'
  AUDIT_SCHEDULE: auditSchedule
  AUDIT_PRINTER_IDS: auditPrinterIds
  AUDIT_DISCOVER_PRINTERS: auditDiscoverPrinters ? 'true' : 'false'
  AUDIT_QUEUE_NAME: auditQueueName
  AUDIT_TABLE_PREFIX: auditTablePrefix
  AUDIT_REDACT_USERS: auditRedactUsers
  AUDIT_OMIT_DOCUMENT_NAMES: auditOmitDocumentNames ? 'true' : 'false'
  AUDIT_RETENTION_DAYS: string(auditRetentionDays)
  AUDIT_RETENTION_SCHEDULE: auditRetentionSchedule
  AUDIT_EVIDENCE_CONTAINER: auditEvidenceContainer
  HTTP_DEADLINE_MS: string(httpDeadlineMs)
  GRAPH_MAX_RETRIES: string(graphMaxRetries)
  GRAPH_RETRY_DELAY_MS: string(graphRetryDelayMs)
  GRAPH_MAX_RETRY_DELAY_MS: string(graphMaxRetryDelayMs)
  GRAPH_TRY_TIMEOUT_MS: string(graphTryTimeoutMs)
  GRAPH_MAX_RETRY_AFTER_MS: string(graphMaxRetryAfterMs)
  PUBLIC_BASE_URL: publicBaseUrl
  // The pseudonym key: a Key Vault secret the app creates on first use and reads itself (every minute at most), so
  // every instance holds the same key; not a Key Vault reference, which the platform re-reads only about daily.
  AUDIT_HASH_KEY: 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/secrets/audit-hash-key'
  // Only App Service authentication can vouch for the caller named in x-ms-client-principal (erasure's requestedBy).
  APP_SERVICE_AUTH_ENABLED: enableEntraAuth ? 'true' : 'false'
}

// Known only once the component and identity exist. Telemetry is Entra-only (the component disables local auth).
var userAssignedClientId = useUserAssigned ? userIdentity!.outputs.clientId : ''
var runtimeAppSettings = union(
  {
    APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: useUserAssigned
      ? 'ClientId=${userAssignedClientId};Authorization=AAD'
      : 'Authorization=AAD'
  },
  useUserAssigned
    ? {
        AzureWebJobsStorage__clientId: userAssignedClientId
        AZURE_CLIENT_ID: userAssignedClientId
      }
    : {}
)

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    location: location
    tags: tags
    planName: 'plan-${resourceToken}'
    functionAppName: appName
    serviceName: 'api'
    blobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    userAssignedIdentityId: useUserAssigned ? userIdentity!.outputs.id : ''
    nodeVersion: '22'
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    appSettings: union(additionalAppSettings, appSettings, runtimeAppSettings)
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.appSubnetId : ''
    // The portal of the cloud this is deployed to (portal.azure.com, portal.azure.us, portal.azure.cn).
    corsAllowedOrigins: [
      environment().portal
    ]
  }
}

var entraAudiences = empty(entraAllowedAudiences)
  ? [
      'api://${entraClientId}'
      entraClientId
    ]
  : map(split(entraAllowedAudiences, ','), audience => trim(audience))
var entraClientApplications = empty(entraAllowedClientApplications)
  ? []
  : map(split(entraAllowedClientApplications, ','), application => trim(application))

module entraAuth 'modules/entra-auth.bicep' = if (enableEntraAuth) {
  name: 'entra-auth'
  scope: rg
  dependsOn: [
    functionApp
  ]
  params: {
    functionAppName: appName
    clientId: entraClientId
    tenantId: entraTenantId
    allowedAudiences: entraAudiences
    allowedClientApplications: entraClientApplications
    // Power Automate's "import from URL" and the connector tooling read the definition without a token; the
    // viewer page holds no data and offers the sign-in itself (its data calls still need a token).
    excludedPaths: [
      '/api/openapi.json'
      '/api/audit/ui'
    ]
  }
}

// Turning the option off must turn sign-in off: the settings are written disabled rather than left as they were.
module entraAuthOff 'modules/entra-auth-off.bicep' = if (!enableEntraAuth) {
  name: 'entra-auth-off'
  scope: rg
  dependsOn: [
    functionApp
  ]
  params: {
    functionAppName: appName
  }
}

var appPrincipalId = useUserAssigned ? userIdentity!.outputs.principalId : functionApp.outputs.systemAssignedPrincipalId

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storageAccountName
    applicationInsightsName: applicationInsightsName
    // The principal id is only known after the site exists; keying the assignment on it (not the app name) keeps a
    // recreated identity from colliding with its predecessor's assignment.
    #disable-next-line what-if-short-circuiting
    appPrincipalId: appPrincipalId
    deployerPrincipalId: grantDeployerReadAccess ? principalId : ''
    deployerPrincipalType: principalType
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    tags: tags
    keyVaultName: keyVaultName
    #disable-next-line what-if-short-circuiting
    appPrincipalId: appPrincipalId
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  dependsOn: [
    monitoring
  ]
  params: {
    location: location
    tags: tags
    applicationInsightsName: applicationInsightsName
    alertRuleName: 'alert-audit-failed-${resourceToken}'
    actionGroupName: 'ag-${resourceToken}'
    alertEmail: alertEmail
    auditFunctionNames: auditFunctionNames
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    severity: alertSeverity
    staleAlertRuleName: 'alert-audit-stale-${resourceToken}'
    staleAfterMinutes: auditStaleAfterMinutes
  }
}

// Depends on the component through the function app's settings (its connection string).
module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsName: applicationInsightsName
    displayName: 'Universal Print audit'
    viewerUrl: 'https://${functionApp.outputs.defaultHostName}/api/audit/ui'
  }
}

module queryPack 'modules/querypack.bicep' = {
  name: 'querypack'
  scope: rg
  params: {
    location: location
    tags: tags
    queryPackName: 'pack-${resourceToken}'
  }
}

// ---- Outputs (azd writes them to .azure/<env>/.env) ----------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.functionAppName
output AZURE_FUNCTION_URI string = 'https://${functionApp.outputs.defaultHostName}'
output SERVICE_API_NAME string = functionApp.outputs.functionAppName
@description('Object id of the app\'s managed identity; npm run grant-graph-permissions grants Graph app roles to it.')
output FUNCTION_PRINCIPAL_ID string = appPrincipalId
output GRAPH_CLOUD string = appSettings.GRAPH_CLOUD
