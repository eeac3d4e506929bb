namespace Pipeline.Core.Configuration;

/// <summary>One tenant: the vendors it accepts and its privacy policy.</summary>
public sealed class TenantOptions
{
    /// <summary>Vendors by name (<c>mindtickle</c>, <c>twinmind</c>, <c>standard</c>).</summary>
    public Dictionary<string, VendorOptions> Vendors { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Retention and storage policy for this tenant's data.</summary>
    public PrivacyOptions Privacy { get; set; } = new();
}

/// <summary>A vendor enabled for a tenant.</summary>
public sealed class VendorOptions
{
    /// <summary>Webhook signing secrets; several during a rotation, any one verifying is enough.</summary>
    public List<string> Secrets { get; set; } = [];

    /// <summary>Granted scopes, e.g. <c>scim:write</c>.</summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>A tenant's retention and storage policy.</summary>
public sealed class PrivacyOptions
{
    /// <summary>Days an encrypted transcript is kept.</summary>
    public int TranscriptRetentionDays { get; set; } = 90;

    /// <summary>Days an audit row is kept.</summary>
    public int AuditRetentionDays { get; set; } = 365;

    /// <summary>False: transcripts are audited but never stored.</summary>
    public bool StoreTranscripts { get; set; } = true;

    /// <summary>
    /// True: a transcript is stored only when its event records the participants' consent
    /// (TwinMind <c>data.consent: true</c>); otherwise it is audited as skipped, reason <c>no-consent</c>.
    /// </summary>
    public bool RequireConsent { get; set; } = true;

    /// <summary>
    /// Extra redaction patterns for kept free text, on top of the default ones (issue 16): validated at
    /// start (compile, linear-time, at most 256 characters, at most 32).
    /// </summary>
    public List<string> PiiPatterns { get; set; } = [];
}
