using Pipeline.Core.Privacy;
using static Pipeline.Core.Privacy.PipelineTaxonomy;

namespace Pipeline.Core.Webhooks.Vendors.StandardWebhooks;

/// <summary>
/// Standard Webhooks events (<c>{"type", "timestamp", "data"}</c>): the sender is any vendor, so the
/// schema of <c>data</c> is unknown and none of it is ever kept.
/// </summary>
public static class StandardWebhooksEvents
{
    /// <summary>The envelope, the only part of the event a row keeps.</summary>
    public static EventSchema Envelope { get; } = EventSchema.Of(("type", Safe), ("timestamp", Safe));

    /// <summary>No event type has a known data schema.</summary>
    public static IReadOnlyDictionary<string, EventSchema> Types { get; } = new Dictionary<string, EventSchema>(StringComparer.Ordinal);
}
