using System.Threading.RateLimiting;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Webhooks;

/// <summary>
/// A token bucket per configured tenant (<c>Pipeline:Webhooks:RateLimit</c>). It is consulted after the
/// tenant is resolved and before the body is read, so a flood costs no HMAC work; only configured
/// tenants get a bucket, so route text cannot grow the partition set.
/// </summary>
internal sealed class WebhookRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public WebhookRateLimiter(PipelineOptions options)
    {
        var limits = options.Webhooks.RateLimit;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.Burst,
            TokensPerPeriod = limits.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(tenant => RateLimitPartition.GetTokenBucketLimiter(tenant, _ => bucket));
    }

    /// <summary>Null when the request may proceed; otherwise how long the tenant should wait.</summary>
    public TimeSpan? TryAcquire(string tenant)
    {
        using var lease = _limiter.AttemptAcquire(tenant);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    public void Dispose() => _limiter.Dispose();
}
