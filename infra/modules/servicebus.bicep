// Service Bus Standard namespace with local (SAS) authentication disabled, the pipeline-events topic
// with duplicate detection (the ingress derives MessageId from vendor + tenant + event key), and one
// subscription per consumer. The app identity may send to the topic and own the two subscriptions
// (receive, and read their message counts for scaling), nothing else.

@description('Name of the Service Bus namespace (6-50 letters, digits and hyphens, globally unique).')
@minLength(6)
@maxLength(50)
param name string

@description('Azure region of the namespace.')
param location string

@description('Tags applied to the namespace.')
param tags object

@description('Topic the webhook ingress publishes to (app setting ServiceBusTopicName).')
param topicName string

@description('Duplicate detection window of the topic, ISO 8601 (between PT20S and P7D).')
param duplicateDetectionWindow string

@description('Time to live of an undelivered message, ISO 8601; expired messages are dead-lettered.')
param messageTimeToLive string

@description('Object id of the app identity: Data Sender on the topic, Data Owner on each subscription.')
param principalId string

@description('Resource id of the Log Analytics workspace that receives the namespace\'s diagnostics.')
param workspaceId string

// Deliveries before a message is dead-lettered (SPEC §2: a failing invocation is retried, then parked).
var maxDeliveryCount = 10
// Azure Service Bus Data Sender.
var dataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
// Azure Service Bus Data Owner, scoped to each subscription the triggers listen on. The Functions docs
// ("Service Bus trigger ... identity-based connections", functions-reference: Grant permission to the
// identity) list Data Receiver and Data Owner for a trigger, with an effective scope over the
// subscription. Receiver alone receives, but the Service Bus extension's target-based scaler (what
// Flex Consumption scales on) reads the subscription's ActiveMessageCount with
// ServiceBusAdministrationClient.GetSubscriptionRuntimePropertiesAsync, which needs the Manage claim: without
// it ServiceBusMetricsProvider.GetMessageCountAsync logs "does not have 'Manage Claim'" and throws, and scaling
// goes blind (azure-sdk-for-net, sdk/servicebus/Microsoft.Azure.WebJobs.Extensions.ServiceBus/src/Listeners/
// ServiceBusMetricsProvider.cs). Owner on the subscription, not the topic or namespace, is that minimum.
var dataOwner = '090c5cfd-751d-490a-894a-3ce6f1109419'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    defaultMessageTimeToLive: messageTimeToLive
    enableBatchedOperations: true
  }
}

// Encrypts and stores transcripts: only events the publisher marks with hasTranscript = true.
resource transcripts 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = {
  parent: topic
  name: 'transcripts'
  properties: {
    maxDeliveryCount: maxDeliveryCount
    deadLetteringOnMessageExpiration: true
    deadLetteringOnFilterEvaluationExceptions: true
    defaultMessageTimeToLive: messageTimeToLive
    lockDuration: 'PT1M'
    enableBatchedOperations: true
  }

  // Named $Default so it replaces the match-everything rule a new subscription starts with.
  resource onlyTranscripts 'rules' = {
    name: '$Default'
    properties: {
      filterType: 'SqlFilter'
      sqlFilter: {
        sqlExpression: 'hasTranscript = TRUE'
      }
    }
  }
}

// Writes the redacted audit row: every event.
resource audit 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = {
  parent: topic
  name: 'audit'
  properties: {
    maxDeliveryCount: maxDeliveryCount
    deadLetteringOnMessageExpiration: true
    deadLetteringOnFilterEvaluationExceptions: true
    defaultMessageTimeToLive: messageTimeToLive
    lockDuration: 'PT1M'
    enableBatchedOperations: true
  }

  resource allEvents 'rules' = {
    name: '$Default'
    properties: {
      filterType: 'SqlFilter'
      sqlFilter: {
        sqlExpression: '1=1'
      }
    }
  }
}

resource topicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, principalId, dataSender)
  scope: topic
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dataSender)
  }
}

resource transcriptsOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(transcripts.id, principalId, dataOwner)
  scope: transcripts
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dataOwner)
  }
}

resource auditOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(audit.id, principalId, dataOwner)
  scope: audit
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dataOwner)
  }
}

// Operational logs (entity changes, failures) and metrics of the namespace to Log Analytics.
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
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

@description('Fully qualified namespace, e.g. name.servicebus.windows.net (Pipeline:ServiceBus:FullyQualifiedNamespace).')
output fullyQualifiedNamespace string = split(
  split(split(namespace.properties.serviceBusEndpoint, '://')[1], '/')[0],
  ':'
)[0]

@description('Name of the topic.')
output topicName string = topic.name

@description('Resource id of the namespace (the dead-letter alert watches it).')
output id string = namespace.id
