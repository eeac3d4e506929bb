// The storage account: the pipeline's tables (audit rows, encrypted transcripts) and queues, the
// Functions host's own state (AzureWebJobsStorage, identity-based) and the Flex Consumption
// deployment container. Shared key access is off, so nothing can reach it with an account key or SAS.

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

// Storage Table Data Contributor: audit rows, encrypted transcripts, index tables.
var tableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// Storage Queue Data Contributor: Pipeline:Storage:QueueServiceUri.
var queueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
// Storage Blob Data Owner: what identity-based AzureWebJobsStorage needs (host locks, timer
// schedule monitor) and what Flex Consumption needs to read the deployment package.
var blobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'

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
  }
}

resource dataRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [tableDataContributor, queueDataContributor, blobDataOwner]: {
    name: guid(storage.id, principalId, role)
    scope: storage
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

@description('Name of the storage account (AzureWebJobsStorage__accountName).')
output name string = storage.name

@description('Blob endpoint, e.g. https://name.blob.core.windows.net/.')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('Table endpoint: Pipeline:Storage:TableServiceUri.')
output tableEndpoint string = storage.properties.primaryEndpoints.table

@description('Queue endpoint: Pipeline:Storage:QueueServiceUri.')
output queueEndpoint string = storage.properties.primaryEndpoints.queue

@description('URL of the deployment container Flex Consumption reads the package from.')
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
