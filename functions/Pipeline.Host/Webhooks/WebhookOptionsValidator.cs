using Microsoft.Extensions.Options;
using Pipeline.Core.Webhooks;

namespace Pipeline.Host.Webhooks;

/// <summary>
/// The webhook ingress's own settings, checked at start beside the feature that uses them: the signature
/// tolerance, body and deduplication limits, the rate limits, the secret rotation period and issue 17's
/// hostile-input limits. Names keys, never values. The tenants and their vendor secrets span features and
/// stay with <c>Configuration/PipelineOptionsValidator</c>.
/// </summary>
internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ToleranceSeconds is < 1 or > 3600)
        {
            failures.Add("Pipeline:Webhooks:ToleranceSeconds must be between 1 and 3600.");
        }

        if (options.MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            failures.Add("Pipeline:Webhooks:MaxBodyBytes must be between 1024 and 67108864.");
        }

        if (options.DeduplicationHours is < 1 or > 24 * 30)
        {
            failures.Add("Pipeline:Webhooks:DeduplicationHours must be between 1 and 720.");
        }

        if (options.RateLimit.PermitsPerSecond < 1)
        {
            failures.Add("Pipeline:Webhooks:RateLimit:PermitsPerSecond must be at least 1.");
        }

        if (options.RateLimit.Burst < options.RateLimit.PermitsPerSecond)
        {
            failures.Add("Pipeline:Webhooks:RateLimit:Burst must be at least PermitsPerSecond.");
        }

        ValidateHostileInputLimits(options, failures);

        if (options.RotationDays is < 1 or > 3650)
        {
            failures.Add("Pipeline:Webhooks:RotationDays must be between 1 and 3650.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Issue 17's settings: the unverified buckets, the body timeout and the trusted proxies.</summary>
    private static void ValidateHostileInputLimits(WebhookOptions webhooks, List<string> failures)
    {
        var unverified = webhooks.UnverifiedRateLimit;
        if (unverified.PerNetworkPermitsPerSecond < 1 || unverified.PerNetworkBurst < unverified.PerNetworkPermitsPerSecond)
        {
            failures.Add("Pipeline:Webhooks:UnverifiedRateLimit:PerNetworkPermitsPerSecond must be at least 1 and PerNetworkBurst at least that.");
        }

        if (unverified.GlobalPermitsPerSecond < 1 || unverified.GlobalBurst < unverified.GlobalPermitsPerSecond)
        {
            failures.Add("Pipeline:Webhooks:UnverifiedRateLimit:GlobalPermitsPerSecond must be at least 1 and GlobalBurst at least that.");
        }

        // Kestrel's MinDataRate needs a grace period of more than one second.
        if (webhooks.MinBodyBytesPerSecond < 1 || webhooks.BodyGraceSeconds is < 2 or > 600)
        {
            failures.Add("Pipeline:Webhooks:MinBodyBytesPerSecond must be at least 1 and BodyGraceSeconds between 2 and 600.");
        }

        for (var i = 0; i < webhooks.TrustedProxies.Count; i++)
        {
            if (!ForwardedFor.TryParseNetwork(webhooks.TrustedProxies[i], out _))
            {
                failures.Add($"Pipeline:Webhooks:TrustedProxies:{i} is not an IP address or CIDR network.");
            }
        }
    }
}
