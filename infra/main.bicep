// The whole pipeline in one resource group (SPEC §2, §4): a Flex Consumption function app running the
// custom handler, Service Bus, Key Vault, storage, monitoring, and the one user-assigned identity the
// app uses for all of it. No keys, no connection strings: every connection is identity-based and every
// secret is a Key Vault reference. Deploy with:
//   az deployment group create -g <group> -f infra/main.bicep -p infra/main.bicepparam

targetScope = 'resourceGroup'

import * as alerts from 'modules/alerts.bicep'

@description('Short environment name (e.g. dev, prod): tags every resource and seeds the unique resource names.')
@minLength(1)
@maxLength(16)
param environmentName string

@description('Azure region of every resource; defaults to the resource group\'s. Must offer Flex Consumption.')
param location string = resourceGroup().location

@description('Tags added to every resource.')
param tags object = {}

@description('Tenants, the vendors each accepts (secret names, scopes) and their privacy policy. Each secret name needs its value in webhookSecrets.')
param tenants tenantConfig[]

@description('Webhook signing secret values, tenant id -> vendor -> secret name -> value. Stored in Key Vault; the app sees Key Vault references only.')
@secure()
param webhookSecrets object

@description('Key of the keyed HMAC that pseudonymises audit subjects (e.g. openssl rand -base64 32). Keep it stable: changing it breaks subject lookups in older audit rows.')
@secure()
@minLength(32)
param auditPseudonymKey string

@description('Entra ID authority that issues caller tokens (Pipeline:Auth:Authority).')
param authAuthority string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'

@description('Client id (a GUID) of the API\'s app registration (Pipeline:Auth:Audience). v2.0 tokens carry it as aud; the handler also accepts api://{client id}.')
param authAudience string

@description('Tenants each caller may touch: Entra object id -> list of tenant ids, or ["*"] (Pipeline:Access:Grants).')
param accessGrants object = {}

@description('NCRONTAB schedule (six fields, UTC) of the retention purge (app setting RetentionSchedule).')
param retentionSchedule string = '0 0 2 * * *'

@description('NCRONTAB schedule (six fields, UTC) of the daily audit chain verification (app setting AuditVerifySchedule).')
param auditVerifySchedule string = '0 30 1 * * *'

@description('Service Bus topic the ingress publishes to (app setting ServiceBusTopicName).')
param topicName string = 'pipeline-events'

@description('Duplicate detection window of the topic, ISO 8601 duration (PT20S to P7D).')
param duplicateDetectionWindow string = 'P1D'

@description('How long an undelivered event waits on a subscription before it is dead-lettered, ISO 8601 duration.')
param messageTimeToLive string = 'P14D'

@description('Largest number of instances the function app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each function app instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Days a deleted Key Vault, key or secret stays recoverable (purge protection is always on).')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('E-mail receivers of the alerts\' action group (docs/RUNBOOK.md "Alerts"): name and address of each.')
param alertEmailReceivers alerts.emailReceiver[] = []

@description('Webhook receivers of the alerts\' action group (an incident tool or chat connector, common alert schema): name and HTTPS URL of each.')
param alertWebhookReceivers alerts.webhookReceiver[] = []

@description('A vendor a tenant accepts webhooks from.')
type vendorConfig = {
  @description('Vendor name, as in the webhook route.')
  name: 'mindtickle' | 'twinmind' | 'standard' | 'github' | 'stripe'
  @description('Names of the signing secrets in use, e.g. [\'v1\'], or [\'v1\', \'v2\'] during a rotation; the order is Secrets__0, Secrets__1.')
  @minLength(1)
  secrets: string[]
  @description('Scopes granted to this vendor for this tenant, e.g. scim:write.')
  scopes: string[]?
}

@description('A tenant\'s retention and storage policy; unset values take the handler\'s defaults.')
type privacyConfig = {
  @description('Days an encrypted transcript is kept (default 90).')
  transcriptRetentionDays: int?
  @description('Days an audit row is kept (default 365).')
  auditRetentionDays: int?
  @description('False: transcripts are audited but never stored (default true).')
  storeTranscripts: bool?
  @description('True: a transcript is stored only when its event records the participants\' consent (TwinMind data.consent: true); otherwise it is audited as transcript.skipped, reason no-consent (default true).')
  requireConsent: bool?
  @description('Extra redaction patterns for kept free text (.NET regular expressions without backreferences or lookarounds, at most 256 characters each); checked at start-up.')
  @maxLength(32)
  piiPatterns: string[]?
}

@description('A tenant of the pipeline.')
type tenantConfig = {
  @description('Tenant id: 1-63 lowercase letters, digits and hyphens, as in the webhook route.')
  @minLength(1)
  @maxLength(63)
  id: string
  @description('Vendors the tenant accepts.')
  @minLength(1)
  vendors: vendorConfig[]
  @description('Retention and storage policy.')
  privacy: privacyConfig?
}

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var allTags = union(tags, { 'pipeline-environment': environmentName })
var deploymentContainerName = 'app-package'
var keyName = 'transcript-kek'
var pseudonymKeySecretName = 'audit-pseudonym-key'
var keyVaultName = 'kv-${resourceToken}'
// Key Vault references by vault and secret name: known before deployment, the same in every cloud, and
// versionless, so each resolves to the secret's current version.
func keyVaultReference(vault string, secret string) string =>
  '@Microsoft.KeyVault(VaultName=${vault};SecretName=${secret})'

// One Key Vault secret per tenant, vendor and secret name; the list order is the Secrets__{index} order.
// Derived from the tenants parameter alone (never from the secret values), so it is known up front.
var webhookSecretEntries = flatten(map(
  tenants,
  t =>
    flatten(map(
      t.vendors,
      v =>
        map(range(0, length(v.secrets)), i => {
          name: 'webhook-${t.id}-${v.name}-${v.secrets[i]}'
          tenant: t.id
          vendor: v.name
          secret: v.secrets[i]
          index: i
        })
    ))
))

var secretSettings = map(webhookSecretEntries, e => {
  key: 'Pipeline__Tenants__${e.tenant}__Vendors__${e.vendor}__Secrets__${e.index}'
  value: keyVaultReference(keyVaultName, e.name)
})

var scopeSettings = flatten(map(
  tenants,
  t =>
    flatten(map(
      t.vendors,
      v =>
        map(range(0, length(v.?scopes ?? [])), i => {
          key: 'Pipeline__Tenants__${t.id}__Vendors__${v.name}__Scopes__${i}'
          value: v.scopes![i]
        })
    ))
))

var privacySettings = flatten(map(
  tenants,
  t =>
    filter(
      [
        {
          key: 'Pipeline__Tenants__${t.id}__Privacy__TranscriptRetentionDays'
          value: t.?privacy.?transcriptRetentionDays
        }
        {
          key: 'Pipeline__Tenants__${t.id}__Privacy__AuditRetentionDays'
          value: t.?privacy.?auditRetentionDays
        }
        {
          key: 'Pipeline__Tenants__${t.id}__Privacy__StoreTranscripts'
          value: t.?privacy.?storeTranscripts
        }
        {
          key: 'Pipeline__Tenants__${t.id}__Privacy__RequireConsent'
          value: t.?privacy.?requireConsent
        }
      ],
      s => s.value != null
    )
))

var piiPatternSettings = flatten(map(
  tenants,
  t =>
    map(range(0, length(t.?privacy.?piiPatterns ?? [])), i => {
      key: 'Pipeline__Tenants__${t.id}__Privacy__PiiPatterns__${i}'
      value: t.privacy!.piiPatterns![i]
    })
))

var grantSettings = flatten(map(
  items(accessGrants),
  g =>
    map(range(0, length(g.value)), i => {
      key: 'Pipeline__Access__Grants__${g.key}__${i}'
      value: g.value[i]
    })
))

var tenantSettings = toObject(
  concat(secretSettings, scopeSettings, privacySettings, piiPatternSettings, grantSettings),
  s => s.key,
  s => string(s.value)
)

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
    principalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: allTags
    deploymentContainerName: deploymentContainerName
    principalId: identity.outputs.principalId
    workspaceId: monitoring.outputs.workspaceId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    name: 'sb-${resourceToken}'
    location: location
    tags: allTags
    topicName: topicName
    duplicateDetectionWindow: duplicateDetectionWindow
    messageTimeToLive: messageTimeToLive
    principalId: identity.outputs.principalId
    workspaceId: monitoring.outputs.workspaceId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: keyVaultName
    location: location
    tags: allTags
    keyName: keyName
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    webhookSecretEntries: webhookSecretEntries
    webhookSecrets: webhookSecrets
    pseudonymKeySecretName: pseudonymKeySecretName
    pseudonymKey: auditPseudonymKey
    principalId: identity.outputs.principalId
    workspaceId: monitoring.outputs.workspaceId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    planName: 'plan-${resourceToken}'
    name: 'func-${resourceToken}'
    location: location
    tags: allTags
    identityId: identity.outputs.id
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSettings: {
      // Functions host: identity-based storage, telemetry with Entra auth.
      AzureWebJobsStorage__accountName: storage.outputs.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.ingestionEndpoint
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
      // The Service Bus triggers' "connection": "ServiceBusConnection".
      ServiceBusConnection__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
      ServiceBusConnection__credential: 'managedidentity'
      ServiceBusConnection__clientId: identity.outputs.clientId
      // Read by the function.json bindings (%ServiceBusTopicName%, %RetentionSchedule%, %AuditVerifySchedule%) and by the handler:
      // flat names, as the scale controller resolves binding expressions by the literal setting name.
      ServiceBusTopicName: serviceBus.outputs.topicName
      RetentionSchedule: retentionSchedule
      AuditVerifySchedule: auditVerifySchedule
      // The handler's configuration (SPEC §4). It authenticates as this identity (ManagedIdentityCredential).
      Pipeline__Mode: 'Azure'
      Pipeline__Identity__ClientId: identity.outputs.clientId
      // The Functions host proxies every webhook from loopback and passes the platform front end's
      // X-Forwarded-For on; trusting loopback only makes the rightmost entry (what the front end saw) the source.
      Pipeline__Webhooks__TrustedProxies__0: '127.0.0.1'
      Pipeline__ServiceBus__FullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
      Pipeline__KeyVault__KeyId: keyVault.outputs.keyId
      Pipeline__Storage__TableServiceUri: storage.outputs.tableEndpoint
      Pipeline__Auth__Authority: authAuthority
      Pipeline__Auth__Audience: authAudience
      Pipeline__Audit__PseudonymKey: keyVaultReference(keyVaultName, pseudonymKeySecretName)
    }
    tenantSettings: tenantSettings
  }
}

// One alert per docs/RUNBOOK.md "Alerts" section, all to one action group.
module alertRules 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    actionGroupName: 'ag-${resourceToken}'
    location: location
    tags: allTags
    emailReceivers: alertEmailReceivers
    webhookReceivers: alertWebhookReceivers
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    serviceBusNamespaceId: serviceBus.outputs.id
    keyVaultId: keyVault.outputs.id
  }
}

var appUrl = 'https://${functionApp.outputs.defaultHostName}'

@description('Name of the function app (for az functionapp commands).')
output functionAppName string = functionApp.outputs.name

@description('Base URL of the function app.')
output functionAppUrl string = appUrl

@description('Webhook URL to give each vendor, one per tenant and vendor.')
output webhookUrls string[] = flatten(map(tenants, t => map(t.vendors, v => '${appUrl}/api/webhooks/${v.name}/${t.id}')))

@description('Name of the Key Vault holding the webhook secrets and the transcript key.')
output keyVaultName string = keyVault.outputs.name

@description('Client id of the app\'s user-assigned identity.')
output identityClientId string = identity.outputs.clientId
