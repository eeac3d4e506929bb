// Key Vault in RBAC mode with soft delete and purge protection: the RSA key that wraps transcript data
// keys (rotated yearly by policy), the webhook signing secrets and the audit pseudonym key. The app
// reads the secrets only through Key Vault references, so no secret value is an app setting.

@description('Name of the Key Vault (3-24 letters, digits and hyphens, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the vault.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Name of the RSA key that wraps transcript data keys.')
param keyName string

@description('Days a deleted vault, key or secret can be recovered (7-90).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Webhook secrets to store: the Key Vault secret name and where its value is in webhookSecrets.')
param webhookSecretEntries webhookSecretEntry[]

@description('Webhook signing secret values: tenant id -> vendor -> secret name -> value.')
@secure()
param webhookSecrets object

@description('Name of the secret holding the audit pseudonym key.')
param pseudonymKeySecretName string

@description('Key for the keyed HMAC that pseudonymises audit subjects.')
@secure()
param pseudonymKey string

@description('Object id of the app identity: Key Vault Crypto User on the key, Secrets User on the vault.')
param principalId string

@description('Resource id of the Log Analytics workspace that receives the vault\'s audit events.')
param workspaceId string

@description('One webhook secret to store in the vault.')
type webhookSecretEntry = {
  @description('Key Vault secret name, e.g. webhook-acme-mindtickle-v1.')
  name: string
  @description('Tenant id.')
  tenant: string
  @description('Vendor name.')
  vendor: string
  @description('Name of the secret within the tenant and vendor, e.g. v1.')
  secret: string
  @description('Position in the tenant and vendor secret list (Secrets__{index}).')
  index: int
}

// Key Vault Crypto User: get the public key, unwrap (and wrap) data keys.
var cryptoUser = '12338af0-0e69-4776-bea7-57ae8d297424'
// Key Vault Secrets User: resolve the Key Vault references in the app settings.
var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

// ARM creates the first version only; later deployments leave existing versions alone, and the
// rotation policy adds new versions (old ones stay, so stored data keys still unwrap).
resource key 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
  name: keyName
  properties: {
    kty: 'RSA'
    keySize: 3072
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
    rotationPolicy: {
      attributes: {
        expiryTime: 'P2Y'
      }
      lifetimeActions: [
        {
          trigger: {
            timeAfterCreate: 'P1Y'
          }
          action: {
            type: 'rotate'
          }
        }
        {
          trigger: {
            timeBeforeExpiry: 'P30D'
          }
          action: {
            type: 'notify'
          }
        }
      ]
    }
  }
}

resource webhookSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for entry in webhookSecretEntries: {
    parent: vault
    name: entry.name
    properties: {
      contentType: 'text/plain'
      value: webhookSecrets[entry.tenant][entry.vendor][entry.secret]
    }
  }
]

resource pseudonymSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: pseudonymKeySecretName
  properties: {
    contentType: 'text/plain'
    value: pseudonymKey
  }
}

resource keyCryptoUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(key.id, principalId, cryptoUser)
  scope: key
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cryptoUser)
  }
}

// On the vault rather than per secret: a secret added for a rotation is then readable the moment it
// exists, with no role assignment to propagate first.
resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, secretsUser)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
  }
}

// Every key and secret operation (who unwrapped which data key, who read which secret) to Log Analytics.
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Versionless key URI (Pipeline:KeyVault:KeyId); stored data keys record the versioned kid.')
output keyId string = key.properties.keyUri

@description('Vault URI, e.g. https://name.vault.azure.net/.')
output vaultUri string = vault.properties.vaultUri

@description('Name of the vault.')
output name string = vault.name

@description('Resource id of the vault (the Key Vault throttling alert watches it).')
output id string = vault.id
