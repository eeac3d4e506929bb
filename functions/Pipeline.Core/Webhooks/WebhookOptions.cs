namespace Pipeline.Core.Webhooks;

/// <summary>Webhook ingress limits.</summary>
public sealed class WebhookOptions
{
    /// <summary>The configuration section it is bound from.</summary>
    public const string SectionName = "Pipeline:Webhooks";

    /// <summary>How far a signed timestamp may be from now, in either direction.</summary>
    public int ToleranceSeconds { get; set; } = 300;

    /// <summary>Largest accepted request body.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long an accepted event id is remembered, so a redelivery answers <c>duplicate: true</c>
    /// without publishing again. Vendors retry for up to about three days.
    /// </summary>
    public int DeduplicationHours { get; set; } = 72;

    /// <summary>
    /// Days a webhook secret may be in use before <c>pipeline secrets status</c> flags it for rotation
    /// (the quarterly rotation the seeds ask for).
    /// </summary>
    public int RotationDays { get; set; } = 90;

    /// <summary>Per-tenant request rate limit, charged only for requests whose signature verified.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// Requests that fail verification (or never reach it), limited per source network (/24 or /48)
    /// and all together, apart from every tenant's bucket: an unsigned flood cannot lock a tenant out.
    /// </summary>
    public UnverifiedRateLimitOptions UnverifiedRateLimit { get; set; } = new();

    /// <summary>
    /// Slowest a request body may arrive, on average, once <see cref="BodyGraceSeconds"/> have passed;
    /// slower is a 408. Kestrel's own default; enforced by Kestrel, so a read is never cut mid-way.
    /// </summary>
    public int MinBodyBytesPerSecond { get; set; } = 240;

    /// <summary>How long a body may arrive at any pace before <see cref="MinBodyBytesPerSecond"/> applies.</summary>
    public int BodyGraceSeconds { get; set; } = 5;

    /// <summary>
    /// Addresses (or CIDR networks) of reverse proxies whose <c>X-Forwarded-For</c> is believed.
    /// None by default: the connection's own address is the source. Under the Functions host the
    /// handler's caller is the host on loopback, so add <c>127.0.0.1</c> there to record the address
    /// the platform front end saw (the rightmost entry not itself a trusted proxy).
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>A token bucket per tenant: <see cref="PermitsPerSecond"/> sustained, <see cref="Burst"/> at once.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests per second a tenant may send, sustained.</summary>
    public int PermitsPerSecond { get; set; } = 100;

    /// <summary>Requests a tenant may send at once after a quiet period (the bucket size).</summary>
    public int Burst { get; set; } = 200;
}

/// <summary>Token buckets for requests that did not verify: one per source network, one for all of them.</summary>
public sealed class UnverifiedRateLimitOptions
{
    /// <summary>Requests per second one source network may send, sustained.</summary>
    public int PerNetworkPermitsPerSecond { get; set; } = 20;

    /// <summary>The bucket size per source network.</summary>
    public int PerNetworkBurst { get; set; } = 100;

    /// <summary>Requests per second all sources together may send, sustained.</summary>
    public int GlobalPermitsPerSecond { get; set; } = 200;

    /// <summary>The bucket size for all sources together.</summary>
    public int GlobalBurst { get; set; } = 1000;
}
