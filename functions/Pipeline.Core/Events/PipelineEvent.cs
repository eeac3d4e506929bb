using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Core.Events;

/// <summary>
/// An accepted webhook as it travels through the topic: who sent it, for which tenant, and the
/// validated vendor payload. The payload may hold PII; only consumers that redact or encrypt read it.
/// </summary>
/// <param name="EventId">Derived from vendor + tenant + event key, so a redelivered webhook keeps its id.</param>
/// <param name="Vendor">Route name of the vendor.</param>
/// <param name="Tenant">Tenant id from the route.</param>
/// <param name="EventType">The vendor's event type, e.g. <c>user.created</c>.</param>
/// <param name="EventKey">The vendor's own event id, or the SHA-256 of the raw body.</param>
/// <param name="ReceivedAt">When the ingress accepted it.</param>
/// <param name="HasTranscript">True when the event carries a meeting transcript.</param>
/// <param name="Payload">The vendor's JSON body.</param>
public sealed record PipelineEvent(
    string EventId,
    string Vendor,
    string Tenant,
    string EventType,
    string EventKey,
    DateTimeOffset ReceivedAt,
    bool HasTranscript,
    [property: JsonConverter(typeof(RawPayloadConverter))] JsonElement Payload);
