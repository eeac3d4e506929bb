using System.Text.Json;
using Pipeline.Core.Privacy;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// A vendor the ingress receives webhooks from (STYLE 17): its route name, where its envelope keeps the
/// event id, type and time, its signature scheme and the schemas of its event types. Each vendor is one
/// folder under <c>Webhooks/Vendors/</c> and one line in the registry beside them (<c>Vendors/WebhookVendors</c>);
/// nothing else switches on the vendor.
/// </summary>
public abstract class WebhookVendor
{
    /// <summary>The route segment and configuration name, lowercase (<c>/api/webhooks/{route}/{tenant}</c>).</summary>
    public abstract string RouteName { get; }

    /// <summary>The vendor's name for people.</summary>
    public abstract string DisplayName { get; }

    /// <summary>How the vendor signs.</summary>
    public abstract SignatureScheme Signature { get; }

    /// <summary>The body field holding the vendor's event id; null when it is a header or absent.</summary>
    public virtual string? EventIdField => null;

    /// <summary>The header holding the vendor's event id; null when it is a body field or absent.</summary>
    public virtual string? EventIdHeader => null;

    /// <summary>The body field holding the event type; null when it is <see cref="EventTypeHeader"/>.</summary>
    public virtual string? EventTypeField => null;

    /// <summary>The header holding the event type; null when it is <see cref="EventTypeField"/>.</summary>
    public virtual string? EventTypeHeader => null;

    /// <summary>The body field holding the event's ISO 8601 time, checked when present; null for none.</summary>
    public virtual string? TimeField => null;

    /// <summary>A header naming the tenant which, when present, must equal the route tenant (MindTickle <c>Company-Id</c>).</summary>
    public virtual string? TenantHeader => null;

    /// <summary>The schema of an event type the vendor does not declare: its envelope, no data.</summary>
    public abstract EventSchema Envelope { get; }

    /// <summary>The event types the vendor declares, each with its schema; matched exactly.</summary>
    public abstract IReadOnlyDictionary<string, EventSchema> EventTypes { get; }

    /// <summary>The name of the event type for a problem response: its field, or its header.</summary>
    public string EventTypeName => EventTypeField ?? EventTypeHeader ?? throw new InvalidOperationException($"{DisplayName} declares no event type.");

    /// <summary>Reads a header; a vendor whose headers go by several names overrides it.</summary>
    public virtual string? Header(HeaderLookup headers, string name)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers(name);
    }

    /// <summary>The scope a tenant needs for <paramref name="eventType"/>; null when none.</summary>
    public virtual string? RequiredScope(string? eventType) => null;

    /// <summary>True for the event type that carries a meeting transcript.</summary>
    public virtual bool CarriesTranscript(string? eventType) => false;

    /// <summary>
    /// Checks the data of a declared <paramref name="eventType"/>; returns the schema path of the first
    /// invalid field, or null. The envelope has been checked by <see cref="EventCatalogue.Validate"/>.
    /// </summary>
    public virtual string? ValidateData(string eventType, JsonElement payload) => null;

    /// <summary>
    /// True when <paramref name="eventType"/> is not declared but equals a declared type once case and
    /// surrounding or inner whitespace are ignored (<c>USER.created</c>, <c>" user.created"</c>): a
    /// spelling that could only be meant to pass for the declared type, refused with 422. Declared types
    /// themselves match exactly, ordinal (SPEC §3.1).
    /// </summary>
    public bool IsVariantOfDeclared(string? eventType)
    {
        if (eventType is null || EventTypes.ContainsKey(eventType))
        {
            return false;
        }

        var folded = Fold(eventType);
        return EventTypes.Keys.Any(type => string.Equals(Fold(type), folded, StringComparison.Ordinal));
    }

    /// <summary>The raw event type, from its header or body field; null when absent or not a string.</summary>
    public string? EventType(HeaderLookup headers, JsonElement payload) =>
        EventTypeHeader is { } header ? NonEmpty(Header(headers, header)) : StringProperty(payload, EventTypeName);

    /// <summary>The vendor's event id, from its header or body field; null when absent (the body hash stands in).</summary>
    public string? EventId(HeaderLookup headers, JsonElement payload) =>
        EventIdHeader is { } header ? NonEmpty(Header(headers, header))
        : EventIdField is { } field ? StringProperty(payload, field)
        : null;

    /// <summary>
    /// Every header the vendor would send for <paramref name="body"/> (for the CLI's <c>send</c> and tests):
    /// its signature, then the event id and type headers it names. <paramref name="eventType"/> is needed
    /// when the type is a header (GitHub); <paramref name="eventId"/> is fresh when null.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Sign(
        string secret, ReadOnlySpan<byte> body, DateTimeOffset now, string? eventType = null, string? eventId = null)
    {
        List<KeyValuePair<string, string>> headers = [.. Signature.Sign(secret, body, now, eventId)];
        if (EventIdHeader is { } idHeader && !headers.Exists(h => string.Equals(h.Key, idHeader, StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(new(idHeader, eventId ?? Guid.NewGuid().ToString()));
        }

        if (EventTypeHeader is { } typeHeader)
        {
            headers.Add(new(typeHeader, eventType ?? throw new ArgumentException($"{DisplayName} names the event type in {typeHeader}; give one.", nameof(eventType))));
        }

        return headers;
    }

    /// <inheritdoc/>
    public override string ToString() => RouteName;

    private static string Fold(string type) =>
        string.Concat(type.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c) && c is not ('\u200B' or '\u200C' or '\u200D' or '\uFEFF')))
            .ToUpperInvariant();

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string? StringProperty(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text ? text : null;
}
