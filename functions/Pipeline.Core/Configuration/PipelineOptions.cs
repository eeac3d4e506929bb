namespace Pipeline.Core.Configuration;

/// <summary>The whole configuration of the pipeline, bound from the <c>Pipeline</c> section (SPEC §4).</summary>
public sealed class PipelineOptions
{
    /// <summary>The configuration section every key lives under.</summary>
    public const string SectionName = "Pipeline";

    /// <summary>Local (Azurite, local key file, in-process dispatcher) or Azure.</summary>
    public PipelineMode Mode { get; set; } = PipelineMode.Local;

    /// <summary>Tenants by id; ids are compared case-insensitively, as configuration keys are.</summary>
    public Dictionary<string, TenantOptions> Tenants { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Webhook ingress settings.</summary>
    public WebhookOptions Webhooks { get; set; } = new();

    /// <summary>Service Bus topic the ingress publishes to (Azure mode).</summary>
    public ServiceBusOptions ServiceBus { get; set; } = new();

    /// <summary>Key Vault key that wraps transcript data keys (Azure mode).</summary>
    public KeyVaultOptions KeyVault { get; set; } = new();

    /// <summary>Table and queue storage.</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary>Retention purge schedule.</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>Which tenants each caller may touch.</summary>
    public AccessOptions Access { get; set; } = new();

    /// <summary>Caller authentication.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>Audit trail settings.</summary>
    public AuditOptions Audit { get; set; } = new();

    /// <summary>How transcripts are sealed.</summary>
    public TranscriptOptions Transcripts { get; set; } = new();

    /// <summary>The managed identity Azure mode authenticates as.</summary>
    public IdentityOptions Identity { get; set; } = new();
}

/// <summary>The app's user-assigned managed identity (Azure mode).</summary>
public sealed class IdentityOptions
{
    /// <summary>Client id of the user-assigned identity; every Azure call authenticates as it.</summary>
    public string? ClientId { get; set; }
}

/// <summary>Where the pipeline runs.</summary>
public enum PipelineMode
{
    /// <summary>Developer machine: Azurite, Azurite queues for the subscriptions, a local key file.</summary>
    Local,

    /// <summary>Azure Functions with Service Bus, Key Vault and Table Storage over managed identity.</summary>
    Azure,
}

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

/// <summary>Webhook ingress limits.</summary>
public sealed class WebhookOptions
{
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

/// <summary>A token bucket per tenant: <see cref="PermitsPerSecond"/> sustained, <see cref="Burst"/> at once.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests per second a tenant may send, sustained.</summary>
    public int PermitsPerSecond { get; set; } = 100;

    /// <summary>Requests a tenant may send at once after a quiet period (the bucket size).</summary>
    public int Burst { get; set; } = 200;
}

/// <summary>The Service Bus topic events are published to.</summary>
public sealed class ServiceBusOptions
{
    /// <summary>e.g. <c>contoso.servicebus.windows.net</c>.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>The topic name.</summary>
    public string TopicName { get; set; } = "pipeline-events";

    /// <summary>
    /// The topic's duplicate detection window (Bicep <c>duplicateDetectionWindow</c>, default one day). A
    /// dead letter replayed with its original <c>MessageId</c> inside this window after it was first
    /// enqueued would be dropped by the topic as a duplicate, so replay waits until it has passed.
    /// </summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>The key-encryption key.</summary>
public sealed class KeyVaultOptions
{
    /// <summary>Versionless key URI, e.g. <c>https://vault.vault.azure.net/keys/transcripts</c>.</summary>
    public string? KeyId { get; set; }

    /// <summary>Local mode: the key file; default <c>.data/keys/local-kek.json</c> under the repository.</summary>
    public string? LocalKeyFile { get; set; }
}

/// <summary>Storage endpoints.</summary>
public sealed class StorageOptions
{
    /// <summary>Connection string; <c>UseDevelopmentStorage=true</c> for Azurite.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Table endpoint used with managed identity in Azure mode.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>Queue endpoint used with managed identity in Azure mode.</summary>
    public Uri? QueueServiceUri { get; set; }
}

/// <summary>When the retention purge runs.</summary>
public sealed class RetentionOptions
{
    /// <summary>Six-field NCRONTAB expression, UTC.</summary>
    public string Schedule { get; set; } = "0 0 2 * * *";

    /// <summary>How long one run may work before it stops cleanly (under the function timeout); the next run finishes.</summary>
    public int BudgetSeconds { get; set; } = 480;

    /// <summary>Days a dead-lettered (Local mode: poison) message is kept, counted from when it was first enqueued.</summary>
    public int DeadLetterDays { get; set; } = 14;
}

/// <summary>Tenant grants per caller.</summary>
public sealed class AccessOptions
{
    /// <summary>Tenant ids (or <c>*</c>) per Entra object id.</summary>
    public Dictionary<string, List<string>> Grants { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Caller authentication.</summary>
public sealed class AuthOptions
{
    /// <summary>Entra ID authority (Azure mode).</summary>
    public string? Authority { get; set; }

    /// <summary>Expected token audience.</summary>
    public string? Audience { get; set; }

    /// <summary>HS256 signing key for Local mode tokens, at least 32 UTF-8 bytes.</summary>
    public string? LocalSigningKey { get; set; }
}

/// <summary>Audit trail settings.</summary>
public sealed class AuditOptions
{
    /// <summary>HMAC key that turns subject identifiers into pseudonyms (a Key Vault secret in Azure).</summary>
    public string? PseudonymKey { get; set; }

    /// <summary>When VerifyAuditChain checks the previous UTC day's chains: six-field NCRONTAB, UTC (app setting <c>AuditVerifySchedule</c>).</summary>
    public string VerifySchedule { get; set; } = "0 30 1 * * *";
}

/// <summary>How transcripts are sealed.</summary>
public sealed class TranscriptOptions
{
    /// <summary>Compress before encrypting (Brotli); on by default, transcripts are text.</summary>
    public bool Compress { get; set; } = true;
}
