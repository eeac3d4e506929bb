using Azure.Core;
using Azure.Core.Pipeline;
using Pipeline.Core.Telemetry;

namespace Pipeline.Azure.KeyVault;

/// <summary>
/// Counts every attempt the pipeline sends to Key Vault, and each one throttled (429), by operation. A
/// per-retry policy, so a throttle the pipeline then retried past is still counted: that is the early
/// warning before unwraps start failing.
/// </summary>
internal sealed class KeyVaultCallMetrics : HttpPipelineSynchronousPolicy
{
    public override void OnReceivedResponse(HttpMessage message) =>
        PipelineMetrics.KeyVaultCall(
            message.Request.Method == RequestMethod.Get ? "getKey" : "unwrapKey",
            throttled: message.HasResponse && message.Response.Status == 429);
}
