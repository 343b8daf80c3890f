#!/bin/sh
# azd's postprovision hook (azure.yaml): grants the app's managed identity its Microsoft Graph application roles after
# the resources exist and before azd deploys the code, so the app's first Graph token already carries them.
# It never fails azd up: when the grant cannot be done, it says why and what to run instead.
set -u
cd "$(dirname "$0")/../.." || exit 0
say() { echo "postprovision (Graph grant): $*"; }
if [ ! -d node_modules ]; then
  say "installing the project's dependencies (npm ci) to run the grant"
  npm ci --no-audit --no-fund >/dev/null || { say "SKIPPED, npm ci failed; after azd up, run: npm run grant-graph-permissions"; exit 0; }
fi
npm run --silent grant-graph-permissions -- --azd-hook || say "SKIPPED, the grant could not run; after azd up, run: npm run grant-graph-permissions"
exit 0
