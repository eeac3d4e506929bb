using System.Threading.RateLimiting;
using Pipeline.Core.Webhooks;

namespace Pipeline.Host.Webhooks;

/// <summary>
/// Two kinds of token bucket, kept apart so no unauthenticated caller can spend a tenant's:
/// <list type="bullet">
/// <item>one per configured tenant (<c>Pipeline:Webhooks:RateLimit</c>), charged only once a request's
/// signature has verified: only the vendor holding the secret can spend it;</item>
/// <item>one per source network (/24 or /48) and one for all sources
/// (<c>Pipeline:Webhooks:UnverifiedRateLimit</c>), charged for every request that fails verification
/// or is refused before it (unknown vendor or tenant, missing headers, bad signature, …).</item>
/// </list>
/// Verifying costs microseconds, so it comes first; the partitions are configured tenants and
/// truncated networks only, never route text. Idle buckets are dropped by the partitioned limiter.
/// </summary>
internal sealed class WebhookRateLimiter : IDisposable
{
    private const string Global = "*";

    private readonly PartitionedRateLimiter<string> _tenants;
    private readonly PartitionedRateLimiter<string> _networks;
    private readonly PartitionedRateLimiter<string> _global;

    public WebhookRateLimiter(WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = options.RateLimit;
        var unverified = options.UnverifiedRateLimit;
        _tenants = Buckets(limits.PermitsPerSecond, limits.Burst);
        _networks = Buckets(unverified.PerNetworkPermitsPerSecond, unverified.PerNetworkBurst);
        _global = Buckets(unverified.GlobalPermitsPerSecond, unverified.GlobalBurst);
    }

    /// <summary>For a request whose signature verified: null when it may proceed, else how long the tenant should wait.</summary>
    public TimeSpan? TryAcquire(string tenant) => TryAcquire(_tenants, tenant);

    /// <summary>
    /// For a request that did not verify, from <paramref name="sourceNetwork"/> (<c>SourceNetworks.Truncate</c>):
    /// null when it may be answered as usual, else how long that source should wait.
    /// </summary>
    public TimeSpan? TryAcquireUnverified(string sourceNetwork) =>
        TryAcquire(_networks, sourceNetwork) ?? TryAcquire(_global, Global);

    public void Dispose()
    {
        _tenants.Dispose();
        _networks.Dispose();
        _global.Dispose();
    }

    private static PartitionedRateLimiter<string> Buckets(int permitsPerSecond, int burst)
    {
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = permitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket));
    }

    private static TimeSpan? TryAcquire(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }
}
