// The storage account: the pipeline's tables (audit rows, encrypted transcripts), the Functions host's own
// state (AzureWebJobsStorage, identity-based) and the Flex Consumption deployment container. Shared key
// access is off, so nothing can reach it with an account key or SAS. Queues exist only in Local mode
// (Azurite), so the app identity has no queue role here.

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the storage account.')
param location string

@description('Tags applied to the storage account.')
param tags object

@description('Name of the blob container Flex Consumption deploys the app package from.')
param deploymentContainerName string

@description('Object id of the app identity granted the data roles on this account.')
param principalId string

@description('Resource id of the Log Analytics workspace that receives the storage diagnostics.')
param workspaceId string

// Storage Table Data Contributor: audit rows, encrypted transcripts, index tables (the handler creates its
// tables on first use, so this is on the account rather than per table; it grants no blob or queue access).
var tableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// Storage Blob Data Owner: what the Functions docs require of the identity behind AzureWebJobsStorage
// ("Storage Blob Data Owner"; the queue and account roles only for blob triggers, which this app has none
// of), and what Flex Consumption's deployment uses to write and read the package. Granted on the
// containers that need it, not the account: the host's own two and the deployment container.
var blobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
// The host's containers: azure-webjobs-hosts (host id and singleton locks, the timer's schedule monitor)
// and azure-webjobs-secrets (host keys). Created here so their role assignments have a scope.
var hostContainerNames = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    resource hostContainers 'containers' = [
      for container in hostContainerNames: {
        name: container
        properties: {
          publicAccess: 'None'
        }
      }
    ]
  }

  resource tableService 'tableServices' = {
    name: 'default'
  }

  resource queueService 'queueServices' = {
    name: 'default'
  }
}

resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, tableDataContributor)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tableDataContributor)
  }
}

resource deploymentContainerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::deploymentContainer.id, principalId, blobDataOwner)
  scope: storage::blobService::deploymentContainer
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataOwner)
  }
}

resource hostContainerRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (container, i) in hostContainerNames: {
    name: guid(storage::blobService::hostContainers[i].id, principalId, blobDataOwner)
    scope: storage::blobService::hostContainers[i]
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataOwner)
    }
  }
]

// Reads, writes and deletes of every service, and the account's transaction metrics, to Log Analytics.
resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage
  properties: {
    workspaceId: workspaceId
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::blobService
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::tableService
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::queueService
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

@description('Name of the storage account (AzureWebJobsStorage__accountName).')
output name string = storage.name

@description('Table endpoint: Pipeline:Storage:TableServiceUri.')
output tableEndpoint string = storage.properties.primaryEndpoints.table

@description('URL of the deployment container Flex Consumption reads the package from.')
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
