// ENABLE_ENTRA_AUTH=true with an API app registration (a made-up client id).
using '../../infra/main.bicep'

param environmentName = 'ci'
param location = 'westeurope'
param enableEntraAuth = true
param entraClientId = '11111111-2222-3333-4444-555555555555'
