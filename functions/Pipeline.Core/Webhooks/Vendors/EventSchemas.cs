using Pipeline.Core.Privacy;

namespace Pipeline.Core.Webhooks.Vendors;

/// <summary>
/// The one place an event type is matched (SPEC §3.1): ordinal and exact, no case or whitespace
/// folding. A type the vendor does not declare is a generic event: its envelope schema, no data.
/// </summary>
public static class EventSchemas
{
    private static readonly EventSchema Nothing = EventSchema.Of();

    /// <summary>The schema of <paramref name="eventType"/> from the vendor named <paramref name="vendor"/> (route name).</summary>
    public static EventSchema For(string vendor, string? eventType) =>
        !WebhookVendors.TryParse(vendor, out var known) ? Nothing
        : eventType is not null && known.EventTypes.TryGetValue(eventType, out var schema) ? schema
        : known.Envelope;

    /// <summary>True when the vendor declares exactly this event type.</summary>
    public static bool IsDeclared(string vendor, string? eventType) =>
        eventType is not null && WebhookVendors.TryParse(vendor, out var known) && known.EventTypes.ContainsKey(eventType);

    /// <summary>
    /// True when <paramref name="eventType"/> is not declared but equals a declared type once case and
    /// surrounding or inner whitespace are ignored (<c>USER.created</c>, <c>" user.created"</c>): a
    /// spelling that could only be meant to pass for the declared type, refused with 422.
    /// </summary>
    public static bool IsVariantOfDeclared(WebhookVendor vendor, string? eventType)
    {
        ArgumentNullException.ThrowIfNull(vendor);
        if (eventType is null || vendor.EventTypes.ContainsKey(eventType))
        {
            return false;
        }

        var folded = Fold(eventType);
        return vendor.EventTypes.Keys.Any(type => string.Equals(Fold(type), folded, StringComparison.Ordinal));
    }

    private static string Fold(string type) =>
        string.Concat(type.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c) && c is not ('\u200B' or '\u200C' or '\u200D' or '\uFEFF')))
            .ToUpperInvariant();
}
