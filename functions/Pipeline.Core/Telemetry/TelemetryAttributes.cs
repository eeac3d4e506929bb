namespace Pipeline.Core.Telemetry;

/// <summary>
/// The attribute names spans and metrics may carry. Every value is an id, a configured name (vendor,
/// tenant, function), a reason slug or a count: never a payload value, a header or a route's raw text,
/// which is how telemetry stays free of personal data by construction rather than by filtering.
/// </summary>
public static class TelemetryAttributes
{
    /// <summary>The vendor's route name, or <c>unknown</c> (never the route text as sent).</summary>
    public const string Vendor = "pipeline.vendor";

    /// <summary>A configured tenant id, or the rejection tally's unknown-tenant name.</summary>
    public const string Tenant = "pipeline.tenant";

    /// <summary>The pipeline event id (a hash, <c>evt_…</c>).</summary>
    public const string EventId = "pipeline.event.id";

    /// <summary>The rejection reason slug, e.g. <c>bad-signature</c>.</summary>
    public const string RejectionReason = "pipeline.rejection.reason";

    /// <summary>The ingress outcome: <c>accepted</c>, <c>duplicate</c> or <c>rejected</c>.</summary>
    public const string Outcome = "pipeline.outcome";

    /// <summary>The consuming function, e.g. <c>WriteAudit</c>.</summary>
    public const string Function = "pipeline.function";

    /// <summary>What a retention run purged: <c>transcripts</c>, <c>audit</c>, <c>holds</c>, <c>deadLetters</c>.</summary>
    public const string RetentionKind = "pipeline.retention.kind";

    /// <summary>A Key Vault operation: <c>get</c>, <c>wrapKey</c>, <c>unwrapKey</c>.</summary>
    public const string KeyVaultOperation = "pipeline.keyvault.operation";

    /// <summary>OpenTelemetry messaging semantic conventions, for the publish and process spans.</summary>
    public const string MessagingSystem = "messaging.system";

    /// <summary>The topic (publish) or subscription queue (process).</summary>
    public const string MessagingDestination = "messaging.destination.name";

    /// <summary><c>send</c> or <c>process</c>.</summary>
    public const string MessagingOperationType = "messaging.operation.type";

    /// <summary>The broker message id, which is the event id.</summary>
    public const string MessagingMessageId = "messaging.message.id";

    /// <summary>OpenTelemetry's general error attribute: an exception's type name, never its message.</summary>
    public const string ErrorType = "error.type";
}
