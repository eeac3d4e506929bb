using System.Collections.Frozen;
using Pipeline.Core.Privacy;
using Pipeline.Core.Webhooks.Vendors.MindTickle;
using Pipeline.Core.Webhooks.Vendors.StandardWebhooks;
using Pipeline.Core.Webhooks.Vendors.TwinMind;

namespace Pipeline.Core.Webhooks.Vendors;

/// <summary>
/// The one place an event type is matched (SPEC §3.1): ordinal and exact, no case or whitespace
/// folding. A type the vendor does not declare is a generic event: its envelope schema, no data.
/// </summary>
public static class EventSchemas
{
    private static readonly EventSchema Nothing = EventSchema.Of();

    private static readonly FrozenDictionary<string, (EventSchema Envelope, IReadOnlyDictionary<string, EventSchema> Types)> Vendors =
        new Dictionary<string, (EventSchema, IReadOnlyDictionary<string, EventSchema>)>(StringComparer.Ordinal)
        {
            ["mindtickle"] = (MindTickleEvents.Envelope, MindTickleEvents.Types),
            ["twinmind"] = (TwinMindEvents.Envelope, TwinMindEvents.Types),
            ["standard"] = (StandardWebhooksEvents.Envelope, StandardWebhooksEvents.Types),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The schema of <paramref name="eventType"/> from <paramref name="vendor"/> (route name).</summary>
    public static EventSchema For(string vendor, string? eventType) =>
        !Vendors.TryGetValue(vendor, out var known) ? Nothing
        : eventType is not null && known.Types.TryGetValue(eventType, out var schema) ? schema
        : known.Envelope;

    /// <summary>True when the vendor declares exactly this event type.</summary>
    public static bool IsDeclared(string vendor, string? eventType) =>
        eventType is not null && Vendors.TryGetValue(vendor, out var known) && known.Types.ContainsKey(eventType);

    /// <summary>
    /// True when <paramref name="eventType"/> is not declared but equals a declared type once case and
    /// surrounding or inner whitespace are ignored (<c>USER.created</c>, <c>" user.created"</c>): a
    /// spelling that could only be meant to pass for the declared type, refused with 422.
    /// </summary>
    public static bool IsVariantOfDeclared(string vendor, string? eventType)
    {
        if (eventType is null || !Vendors.TryGetValue(vendor, out var known) || known.Types.ContainsKey(eventType))
        {
            return false;
        }

        var folded = Fold(eventType);
        return known.Types.Keys.Any(type => string.Equals(Fold(type), folded, StringComparison.Ordinal));
    }

    private static string Fold(string type) =>
        string.Concat(type.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c) && c is not ('\u200B' or '\u200C' or '\u200D' or '\uFEFF')))
            .ToUpperInvariant();
}
