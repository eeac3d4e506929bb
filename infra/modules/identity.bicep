// The one user-assigned identity the function app uses for everything: storage, Service Bus,
// Key Vault (keys, and the secrets behind the Key Vault references) and Application Insights.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string

@description('Tags applied to the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity (for identity blocks and Key Vault references).')
output id string = identity.id

@description('Client id of the identity: AZURE_CLIENT_ID and the __clientId connection settings.')
output clientId string = identity.properties.clientId

@description('Object (principal) id of the identity: what the role assignments grant to.')
output principalId string = identity.properties.principalId
