// Example parameters. Secrets are read from environment variables at deployment time, so none is
// ever written to this file or to the shell history of a deployment command:
//   export PIPELINE_AUDIT_PSEUDONYM_KEY="$(openssl rand -base64 32)"   # once; keep it stable
//   export PIPELINE_ACME_MINDTICKLE_SECRET=... PIPELINE_ACME_TWINMIND_SECRET=... PIPELINE_GLOBEX_STANDARD_SECRET=whsec_...
//   export PIPELINE_API_CLIENT_ID=<client id of the API app registration>
//   az deployment group create -g rg-pipeline-dev -f infra/main.bicep -p infra/main.bicepparam
using 'main.bicep'

param environmentName = 'dev'

param tenants = [
  {
    id: 'acme'
    vendors: [
      {
        name: 'mindtickle'
        secrets: [
          'v1'
        ]
        scopes: [
          'scim:write'
        ]
      }
      {
        name: 'twinmind'
        secrets: [
          'v1'
        ]
      }
    ]
    privacy: {
      transcriptRetentionDays: 30
    }
  }
  {
    id: 'globex'
    vendors: [
      {
        name: 'standard'
        secrets: [
          'v1'
        ]
      }
    ]
  }
]

// tenant -> vendor -> secret name -> value, one value for each name listed in tenants above. A rotation
// adds a second name (e.g. v2) there and here; once the vendor signs with it, the old name goes from both
// (README, "Deploy to Azure").
param webhookSecrets = {
  acme: {
    mindtickle: {
      v1: readEnvironmentVariable('PIPELINE_ACME_MINDTICKLE_SECRET')
    }
    twinmind: {
      v1: readEnvironmentVariable('PIPELINE_ACME_TWINMIND_SECRET')
    }
  }
  globex: {
    standard: {
      v1: readEnvironmentVariable('PIPELINE_GLOBEX_STANDARD_SECRET')
    }
  }
}

param auditPseudonymKey = readEnvironmentVariable('PIPELINE_AUDIT_PSEUDONYM_KEY')

// The client id of the API's app registration (README: "Create the API app registration"): v2.0 access
// tokens carry it as their audience. export PIPELINE_API_CLIENT_ID="$API_APP_ID" before deploying.
param authAudience = readEnvironmentVariable('PIPELINE_API_CLIENT_ID')

// Entra object id -> tenants that caller may read or erase. Replace with your operators' object ids.
param accessGrants = {
  '00000000-0000-0000-0000-000000000000': [
    'acme'
    'globex'
  ]
}

// Who the alerts notify (docs/RUNBOOK.md "Alerts"). Replace with your on-call address; add webhook
// receivers (an incident tool, a chat connector) to alertWebhookReceivers.
param alertEmailReceivers = [
  {
    name: 'oncall'
    emailAddress: 'oncall@example.com'
  }
]
