using Pipeline.Core.Configuration;
using Pipeline.Core.Webhooks;

namespace Pipeline.Core.Reports;

/// <summary>The configuration an auditor asks about, as in force for one tenant when the report was made.</summary>
public sealed record PolicyPosture(
    int ReplayToleranceSeconds,
    int MaxBodyBytes,
    int RatePermitsPerSecond,
    int RateBurst,
    int UnverifiedPerNetworkPermitsPerSecond,
    int DeduplicationHours,
    IReadOnlyList<string> Vendors,
    int TranscriptRetentionDays,
    int AuditRetentionDays,
    int DeadLetterDays,
    bool StoreTranscripts,
    bool RequireConsent,
    int TenantPiiPatterns,
    int SecretRotationDays)
{
    /// <summary>How audit rows are redacted; not configurable, stated so the report says it.</summary>
    public const string RedactionRule =
        "Allowlist: an audit row keeps only fields the event's schema classifies safe; subjects become keyed pseudonyms; "
        + "unknown fields are dropped; pattern redaction (emails, phones, card numbers, IBANs, IPs) runs over kept free text as a second net.";

    /// <summary>The posture of <paramref name="tenant"/> (defaults where the tenant is not configured).</summary>
    /// <param name="options">The tenants.</param>
    /// <param name="webhooks">The ingress limits.</param>
    /// <param name="deadLetterDays">How long dead letters are kept (<c>Pipeline:Retention:DeadLetterDays</c>).</param>
    /// <param name="tenant">The tenant reported on.</param>
    public static PolicyPosture From(PipelineOptions options, WebhookOptions webhooks, int deadLetterDays, string tenant)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(webhooks);
        var tenantOptions = options.Tenants.TryGetValue(tenant, out var found) ? found : new TenantOptions();
        var privacy = tenantOptions.Privacy;
        return new PolicyPosture(
            webhooks.ToleranceSeconds,
            webhooks.MaxBodyBytes,
            webhooks.RateLimit.PermitsPerSecond,
            webhooks.RateLimit.Burst,
            webhooks.UnverifiedRateLimit.PerNetworkPermitsPerSecond,
            webhooks.DeduplicationHours,
            [.. tenantOptions.Vendors.Keys.Order(StringComparer.Ordinal)],
            privacy.TranscriptRetentionDays,
            privacy.AuditRetentionDays,
            deadLetterDays,
            privacy.StoreTranscripts,
            privacy.RequireConsent,
            privacy.PiiPatterns.Count,
            webhooks.RotationDays);
    }
}
