// Every parameter at its default (what `azd up` deploys with an empty azd environment).
using '../../infra/main.bicep'

param environmentName = 'ci'
param location = 'westeurope'
