using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
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

    /// <summary>The reason Service Bus gives a message it dead-letters after its last failed delivery.</summary>
    public const string MaxDeliveryCountExceeded = "MaxDeliveryCountExceeded";

    /// <summary>Deliveries before the message was moved to the poison queue; null while it is live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DeliveryCount { get; init; }

    /// <summary>Why it was moved to the poison queue, in Service Bus's words; null while it is live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeadLetterReason { get; init; }

    /// <summary>The longer explanation Service Bus gives beside <see cref="DeadLetterReason"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeadLetterErrorDescription { get; init; }

    /// <summary>
    /// The poison-queue copy after the last failed delivery, carrying what a Service Bus dead letter
    /// carries (delivery count, reason and description), so operators see the same in both modes.
    /// </summary>
    public LocalQueueEnvelope DeadLettered(long deliveryCount) => this with
    {
        DeliveryCount = (int)Math.Min(deliveryCount, int.MaxValue),
        DeadLetterReason = MaxDeliveryCountExceeded,
        DeadLetterErrorDescription = string.Create(CultureInfo.InvariantCulture, $"Message could not be consumed after {deliveryCount} delivery attempts."),
    };

    /// <summary>The message as it was published (application properties back to strings and booleans).</summary>
    public BusMessage ToBusMessage() => new(
        MessageId,
        CorrelationId,
        ContentType,
        Body,
        Properties.ToDictionary(
            p => p.Key,
            p => p.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String => (object)(p.Value.GetString() ?? ""),
                _ => p.Value.GetRawText(),
            },
            StringComparer.Ordinal));

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
