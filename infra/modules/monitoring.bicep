// Log Analytics workspace and a workspace-based Application Insights component with local
// (instrumentation key) authentication disabled: telemetry is accepted only with an Entra token, so
// the ingestion connection string the app is given carries no usable secret.

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Azure region of the monitoring resources.')
param location string

@description('Tags applied to the monitoring resources.')
param tags object

@description('Days the workspace keeps logs.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

@description('Object id of the app identity granted Monitoring Metrics Publisher on the component.')
param principalId string

// Monitoring Metrics Publisher: lets the identity send telemetry to a component with local auth off.
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
  }
}

@description('Ingestion connection string (endpoints and component id; local auth is off, so it grants nothing without an Entra token).')
output ingestionEndpoint string = applicationInsights.properties.ConnectionString

@description('Resource id of the Log Analytics workspace the diagnostic settings send to.')
output workspaceId string = workspace.id

@description('Resource id of the Application Insights component (the telemetry alerts query it).')
output applicationInsightsId string = applicationInsights.id
