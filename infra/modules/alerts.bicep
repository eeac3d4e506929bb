// The pipeline's alerts (issue 11), one per section of docs/RUNBOOK.md "Alerts", all notifying one
// action group whose receivers are parameters. Platform metrics where the platform counts the thing
// (Service Bus dead letters, Key Vault 429s); the handler's OpenTelemetry metrics and requests in
// Application Insights where only the app knows (rejections by tenant, chain breaks, ingress 5xx).

@description('Name of the action group every alert notifies.')
param actionGroupName string

@description('Azure region of the log alert (metric alerts and the action group are global).')
param location string

@description('Tags applied to the alert resources.')
param tags object

@description('E-mail receivers of the action group: name and address of each.')
param emailReceivers emailReceiver[]

@description('Webhook receivers of the action group (an incident tool, a chat connector): name and HTTPS URL of each.')
param webhookReceivers webhookReceiver[]

@description('Resource id of the Application Insights component the handler exports to.')
param applicationInsightsId string

@description('Resource id of the Service Bus namespace.')
param serviceBusNamespaceId string

@description('Resource id of the Key Vault.')
param keyVaultId string

@export()
@description('An e-mail receiver of the alerts.')
type emailReceiver = {
  @description('Receiver name, unique in the action group.')
  name: string
  @description('E-mail address.')
  emailAddress: string
}

@export()
@description('A webhook receiver of the alerts (common alert schema).')
type webhookReceiver = {
  @description('Receiver name, unique in the action group.')
  name: string
  @description('HTTPS URL the alert is posted to.')
  serviceUri: string
}

var actions = [
  {
    actionGroupId: actionGroup.id
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'pipeline'
    enabled: true
    emailReceivers: [
      for receiver in emailReceivers: {
        name: receiver.name
        emailAddress: receiver.emailAddress
        useCommonAlertSchema: true
      }
    ]
    webhookReceivers: [
      for receiver in webhookReceivers: {
        name: receiver.name
        serviceUri: receiver.serviceUri
        useCommonAlertSchema: true
      }
    ]
  }
}

// Failed-auth monitoring and anomaly detection: a dynamic threshold learns each tenant's usual rate of
// rejected webhooks (pipeline.webhook.rejected, any reason) and fires on a spike for one tenant. The
// metric exists only once the handler has exported it, hence skipMetricValidation.
resource rejectedWebhookSpike 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-rejected-webhook-spike'
  location: 'global'
  tags: tags
  properties: {
    description: 'Rejected webhooks for one tenant well above its learned rate. Runbook: docs/RUNBOOK.md#alert-rejected-webhook-spike'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'DynamicThresholdCriterion'
          name: 'RejectedWebhooksPerTenant'
          metricNamespace: 'azure.applicationinsights'
          metricName: 'pipeline.webhook.rejected'
          dimensions: [
            {
              name: 'pipeline.tenant'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          alertSensitivity: 'Medium'
          failingPeriods: {
            numberOfEvaluationPeriods: 4
            minFailingPeriodsToAlert: 3
          }
          timeAggregation: 'Total'
          skipMetricValidation: true
        }
      ]
    }
    actions: actions
  }
}

// Any message in a subscription's dead-letter subqueue: an accepted event not yet stored.
resource deadLetteredMessage 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-dead-lettered-message'
  location: 'global'
  tags: tags
  properties: {
    description: 'A message is in a dead-letter subqueue: accepted but not stored. Runbook: docs/RUNBOOK.md#alert-dead-lettered-message'
    severity: 1
    enabled: true
    scopes: [
      serviceBusNamespaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadLetteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: actions
  }
}

// A verification (the daily VerifyAuditChain timer over the previous day, the compliance report) found a
// partition whose chain does not link: pipeline.audit.chain.breaks, exported by the handler.
resource chainVerificationFailure 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-chain-verification-failure'
  location: 'global'
  tags: tags
  properties: {
    description: 'An audit chain verification found a break. Runbook: docs/RUNBOOK.md#alert-chain-verification-failure'
    severity: 0
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'ChainBreaks'
          metricNamespace: 'azure.applicationinsights'
          metricName: 'pipeline.audit.chain.breaks'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
          skipMetricValidation: true
        }
      ]
    }
    actions: actions
  }
}

// Key Vault answered 429: the vault's own count of throttled API results.
resource keyVaultThrottling 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-keyvault-throttling'
  location: 'global'
  tags: tags
  properties: {
    description: 'Key Vault throttled requests (429). Runbook: docs/RUNBOOK.md#alert-key-vault-throttling'
    severity: 2
    enabled: true
    scopes: [
      keyVaultId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'ThrottledResults'
          metricNamespace: 'Microsoft.KeyVault/vaults'
          metricName: 'ServiceApiResult'
          dimensions: [
            {
              name: 'StatusCode'
              operator: 'Include'
              values: [
                '429'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Count'
        }
      ]
    }
    actions: actions
  }
}

// Any 5xx from the webhook ingress, as the Functions host (function WebhookIngress) or the handler's
// server span (its route) reports it to Application Insights.
resource ingress5xx 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-ingress-5xx'
  location: location
  tags: tags
  properties: {
    description: 'The webhook ingress answered 5xx. Runbook: docs/RUNBOOK.md#alert-ingress-5xx'
    displayName: 'alert-ingress-5xx'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'requests | where name == "WebhookIngress" or name startswith "POST /api/webhooks/" | where toint(resultCode) >= 500'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

@description('Resource id of the action group.')
output actionGroupId string = actionGroup.id
