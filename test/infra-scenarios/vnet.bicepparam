// VNET_ENABLED=true: storage only through private endpoints on a VNet the app joins.
using '../../infra/main.bicep'

param environmentName = 'ci'
param location = 'westeurope'
param vnetEnabled = true
