using System.Text.Json;
using Pipeline.Core.Events;

namespace Pipeline.Azure.Local;

/// <summary>
/// How a <see cref="BusMessage"/> is stored in an Azurite queue: the broker properties the Service
/// Bus trigger would report, beside the base64 body.
/// </summary>
public sealed record LocalQueueEnvelope(
    string MessageId,
    string CorrelationId,
    string ContentType,
    DateTimeOffset EnqueuedTimeUtc,
    IReadOnlyDictionary<string, JsonElement> Properties,
    byte[] Body)
{
    /// <summary>Wraps a message as it is sent.</summary>
    public static LocalQueueEnvelope From(BusMessage message, DateTimeOffset enqueuedTimeUtc) => new(
        message.MessageId,
        message.CorrelationId,
        message.ContentType,
        enqueuedTimeUtc,
        message.Properties.ToDictionary(
            p => p.Key,
            p => p.Value switch
            {
                bool flag => JsonSerializer.SerializeToElement(flag, LocalJsonContext.Default.Boolean),
                _ => JsonSerializer.SerializeToElement(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "", LocalJsonContext.Default.String),
            },
            StringComparer.Ordinal),
        message.Body.ToArray());

    /// <summary>The queue message text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, LocalJsonContext.Default.LocalQueueEnvelope);

    /// <summary>Reads a queue message; null when it is not an envelope (it then goes to the poison queue).</summary>
    public static LocalQueueEnvelope? TryParse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, LocalJsonContext.Default.LocalQueueEnvelope) is { MessageId.Length: > 0, Body: not null } envelope
                ? envelope
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
