# azd's postprovision hook on Windows (azure.yaml): the same as postprovision.sh. Grants the app's managed identity its
# Microsoft Graph application roles before azd deploys the code, and never fails azd up.
$ErrorActionPreference = 'Continue'
Set-Location (Join-Path $PSScriptRoot '..' '..')
function Say([string] $text) { Write-Output "postprovision (Graph grant): $text" }
if (-not (Test-Path 'node_modules')) {
  Say "installing the project's dependencies (npm ci) to run the grant"
  npm ci --no-audit --no-fund | Out-Null
  if ($LASTEXITCODE -ne 0) { Say 'SKIPPED, npm ci failed; after azd up, run: npm run grant-graph-permissions'; exit 0 }
}
npm run --silent grant-graph-permissions -- --azd-hook
if ($LASTEXITCODE -ne 0) { Say 'SKIPPED, the grant could not run; after azd up, run: npm run grant-graph-permissions' }
exit 0
