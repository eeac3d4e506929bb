#!/usr/bin/env bash
# Smoke test of a deployed pipeline: what only a real Azure deployment can show (README, "What has been
# verified against Azure and what has not"). Run it after `az deployment group create` and the app's
# zip deployment. It sends one signed MindTickle event and one signed TwinMind transcript to the deployed
# URL, waits for the audit rows through the AuditQuery API, reads the transcript back through the
# Transcripts API, then crypto-shreds that test transcript again.
#
#   export PIPELINE_ACME_MINDTICKLE_SECRET=... PIPELINE_ACME_TWINMIND_SECRET=...   # as for the deployment
#   export PIPELINE_API_CLIENT_ID=<client id of the API app registration>
#   infra/smoke-test.sh rg-pipeline-dev [tenant]
#
# The signed-in user needs the Audit.Read, Transcripts.Read and Transcripts.Delete app roles (or Admin) on
# the API registration and the tenant in accessGrants. If `az account get-access-token` cannot get a token
# for the API (the Azure CLI is not a pre-authorised client of it), get one another way and export it as
# PIPELINE_API_TOKEN. Needs: az (signed in), curl, openssl, jq. Exit code 0 only if every step passed.
# Nothing secret is printed: not the webhook secrets, not the token, not the transcript text.
set -euo pipefail

group="${1:?usage: infra/smoke-test.sh <resource-group> [tenant]}"
tenant="${2:-acme}"
deployment="${PIPELINE_DEPLOYMENT_NAME:-main}"
: "${PIPELINE_ACME_MINDTICKLE_SECRET:?export the MindTickle signing secret of the tenant}"
: "${PIPELINE_ACME_TWINMIND_SECRET:?export the TwinMind signing secret of the tenant}"
for tool in az curl openssl jq; do
  command -v "$tool" >/dev/null || { echo "smoke-test: $tool is required" >&2; exit 2; }
done

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
hmac_hex() { openssl dgst -sha256 -hmac "$1" -hex | sed 's/^.*= //'; }

app=$(az deployment group show -g "$group" -n "$deployment" --query properties.outputs.functionAppName.value -o tsv)
url="https://$app.azurewebsites.net"
run="smoke-$(date -u +%Y%m%dT%H%M%SZ)-$RANDOM"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

step "1. health: $url/api/health"
status=$(curl -sS -o /dev/null -w '%{http_code}' --retry 5 --retry-all-errors --retry-delay 10 "$url/api/health")
[[ "$status" == 200 ]] || fail "health answered $status (cold start? Key Vault references not resolved yet? see README step 5)"

step "2. signed MindTickle course.completed -> 202 (signature over the raw bytes, Service Bus publish with the managed identity)"
body=$(printf '{"event_id":"%s-mt","event_type":"course.completed","occurred_at":"%s","data":{"score":90}}' "$run" "$started")
ts=$(date -u +%s)
signature=$(printf '%s.%s' "$ts" "$body" | hmac_hex "$PIPELINE_ACME_MINDTICKLE_SECRET")
answer=$(curl -sS -w '\n%{http_code}' -X POST "$url/api/webhooks/mindtickle/$tenant" \
  -H 'Content-Type: application/json' -H "x-mindtickle-signature: $signature" -H "x-mindtickle-timestamp: $ts" \
  --data-binary "$body")
[[ "$(tail -n1 <<<"$answer")" == 202 ]] || fail "webhook answered $(tail -n1 <<<"$answer"): $(head -n1 <<<"$answer" | jq -c '{type,title}' 2>/dev/null)"
course_event=$(head -n1 <<<"$answer" | jq -r .eventId)
echo "accepted $course_event"

step "3. signed TwinMind transcript.completed -> 202 (hasTranscript must reach the transcripts subscription as a boolean)"
transcript_id="$run-tr"
text="Smoke test $run: this transcript is deleted again at the end of the run."
body=$(jq -cn --arg id "$run-tm" --arg tr "$transcript_id" --arg text "$text" --arg at "$started" \
  '{id:$id,type:"transcript.completed",created_at:$at,data:{transcript_id:$tr,meeting_id:"smoke",language:"en",transcript:$text,participants:[]}}')
signature="sha256=$(printf '%s' "$body" | hmac_hex "$PIPELINE_ACME_TWINMIND_SECRET")"
answer=$(curl -sS -w '\n%{http_code}' -X POST "$url/api/webhooks/twinmind/$tenant" \
  -H 'Content-Type: application/json' -H "x-twinmind-signature: $signature" --data-binary "$body")
[[ "$(tail -n1 <<<"$answer")" == 202 ]] || fail "webhook answered $(tail -n1 <<<"$answer")"
transcript_event=$(head -n1 <<<"$answer" | jq -r .eventId)
echo "accepted $transcript_event"

step "4. a caller token for the API (Entra ID, audience = the API's client id)"
token="${PIPELINE_API_TOKEN:-}"
if [[ -z "$token" ]]; then
  : "${PIPELINE_API_CLIENT_ID:?export the client id of the API app registration (or PIPELINE_API_TOKEN)}"
  token=$(az account get-access-token --scope "api://$PIPELINE_API_CLIENT_ID/.default" --query accessToken -o tsv) \
    || fail "no token for api://$PIPELINE_API_CLIENT_ID; export PIPELINE_API_TOKEN instead"
fi
auth=(-H "Authorization: Bearer $token")

step "5. the audit rows through GET /api/audit/$tenant (WriteAudit woken by the Service Bus trigger)"
found=""
for _ in $(seq 1 24); do
  to=$(date -u -d '+1 minute' +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -v+1M +%Y-%m-%dT%H:%M:%SZ)
  items=$(curl -sS -G "${auth[@]}" "$url/api/audit/$tenant" --data-urlencode "from=$started" --data-urlencode "to=$to" --data-urlencode "limit=1000" | jq -c '[.items[]?.eventId]')
  if jq -e --arg a "$course_event" --arg b "$transcript_event" 'any(.[]; . == $a) and any(.[]; . == $b)' <<<"$items" >/dev/null; then
    found=yes
    break
  fi
  sleep 10
done
[[ -n "$found" ]] || fail "no audit row for $course_event and $transcript_event after 4 minutes (trigger not woken? role on the subscription? see the function app's logs)"
echo "audit rows found for both events"

step "6. the transcript back through GET /api/transcripts/$tenant/$transcript_id (EncryptTranscript, Key Vault unwrap)"
read_back=""
for _ in $(seq 1 12); do
  answer=$(curl -sS -w '\n%{http_code}' "${auth[@]}" "$url/api/transcripts/$tenant/$transcript_id")
  if [[ "$(tail -n1 <<<"$answer")" == 200 ]]; then
    read_back=$(head -n1 <<<"$answer" | jq -r .transcript)
    break
  fi
  sleep 10
done
[[ "$read_back" == "$text" ]] || fail "the transcript did not come back as sent (hasTranscript filter? Key Vault Crypto User?)"
echo "transcript read back intact"

step "7. crypto-shred the test transcript: DELETE -> 204"
status=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "${auth[@]}" "$url/api/transcripts/$tenant/$transcript_id")
[[ "$status" == 204 ]] || fail "delete answered $status"

printf '\nsmoke test passed: %s\n' "$run"
