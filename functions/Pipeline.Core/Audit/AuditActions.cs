using Pipeline.Core.Events;

namespace Pipeline.Core.Audit;

/// <summary>The audit vocabulary and the rows the pipeline's own events produce.</summary>
public static class AuditActions
{
    /// <summary>A webhook passed verification and was published.</summary>
    public const string EventAccepted = "event.accepted";

    /// <summary>A caller read a tenant's audit rows.</summary>
    public const string AuditQueried = "audit.queried";

    /// <summary>The retention purge ran for a tenant.</summary>
    public const string RetentionPurged = "retention.purged";

    /// <summary>The row recording that an event was accepted. Names no payload value.</summary>
    public static AuditEntry ForAcceptedEvent(PipelineEvent accepted) => new(
        accepted.Tenant,
        accepted.ReceivedAt,
        EventAccepted,
        "success",
        $"vendor:{accepted.Vendor}",
        "event",
        accepted.EventId,
        accepted.EventId,
        Subject: null,
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["vendor"] = accepted.Vendor,
            ["eventType"] = accepted.EventType,
        });
}
