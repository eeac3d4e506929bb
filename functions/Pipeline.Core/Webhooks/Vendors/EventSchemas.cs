using Pipeline.Core.Privacy;

namespace Pipeline.Core.Webhooks.Vendors;

/// <summary>
/// An event's schema by its vendor's route name, for code that holds only the name (audit rows,
/// redaction). Matched ordinal and exact, no case or whitespace folding (SPEC §3.1; the ingress refuses
/// a variant spelling with <see cref="WebhookVendor.IsVariantOfDeclared"/>). A type the vendor does not
/// declare is a generic event: its envelope schema, no data.
/// </summary>
public static class EventSchemas
{
    private static readonly EventSchema Nothing = EventSchema.Of();

    /// <summary>The schema of <paramref name="eventType"/> from the vendor named <paramref name="vendor"/> (route name).</summary>
    public static EventSchema For(string vendor, string? eventType) =>
        !WebhookVendors.TryParse(vendor, out var known) ? Nothing
        : eventType is not null && known.EventTypes.TryGetValue(eventType, out var schema) ? schema
        : known.Envelope;
}
