using System.Globalization;
using System.Text.Json;

namespace Pipeline.Host.Invocations;

/// <summary>A Service Bus message as a custom handler receives it from the Service Bus trigger.</summary>
internal sealed record ReceivedMessage(
    byte[] Body,
    string? MessageId,
    string? CorrelationId,
    int DeliveryCount,
    IReadOnlyDictionary<string, string> ApplicationProperties)
{
    /// <summary>The trigger's binding name in every Service Bus function.json.</summary>
    public const string BindingName = "message";

    /// <summary>When Service Bus enqueued the message: the same on every delivery, so it can key what a delivery writes.</summary>
    public DateTimeOffset? EnqueuedTimeUtc { get; init; }

    /// <summary>
    /// The messages of a batch invocation (function.json <c>"cardinality": "many"</c>), in the order the
    /// host sent them; a single-message invocation reads as a batch of one. Null when there is no message
    /// at all. What the host sends, from the sources:
    /// <list type="bullet">
    /// <item>The trigger value is <c>byte[][]</c> (Azure/azure-functions-host,
    /// <c>GeneralScriptBindingProvider.GetRequestedType</c>: <c>dataType: binary</c> is <c>byte[]</c>, cardinality
    /// many makes it an array). <c>ScriptInvocationContextExtensions.GetHttpScriptInvocationContextValue</c> passes
    /// only a <c>byte[]</c> through as bytes; an array it cannot turn into a JObject it sends as
    /// <c>JsonConvert.SerializeObject</c> text, so <c>Data.message</c> is a string holding a JSON array of base64 strings.</item>
    /// <item>Metadata is the trigger's binding data, each value through the same function: the Service Bus
    /// extension (Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.ServiceBus,
    /// <c>ServiceBusTriggerBindingStrategy.AddBindingData</c> for several messages) names every property with an
    /// <c>Array</c> suffix — <c>MessageIdArray</c>, <c>DeliveryCountArray</c>, <c>EnqueuedTimeUtcArray</c>,
    /// <c>CorrelationIdArray</c>, <c>ApplicationPropertiesArray</c> (<c>UserPropertiesArray</c> in older
    /// extensions) — each a string holding a JSON array, index i describing message i.</item>
    /// </list>
    /// Arrays and plain JSON values are accepted too, as <see cref="MetadataValue"/> does for single messages.
    /// </summary>
    public static IReadOnlyList<ReceivedMessage>? TryParseBatch(JsonElement invocation)
    {
        if (invocation.ValueKind != JsonValueKind.Object
            || !TryGetProperty(invocation, "Data", out var data)
            || !TryGetProperty(data, BindingName, out var message))
        {
            return null;
        }

        var bodies = BatchBodies(message);
        if (bodies is null)
        {
            return TryParse(invocation) is { } single ? [single] : null;
        }

        TryGetProperty(invocation, "Metadata", out var metadata);
        var messageIds = MetadataValue.GetArray(metadata, "MessageIdArray");
        var correlationIds = MetadataValue.GetArray(metadata, "CorrelationIdArray");
        var deliveryCounts = MetadataValue.GetArray(metadata, "DeliveryCountArray");
        var enqueuedTimes = MetadataValue.GetArray(metadata, "EnqueuedTimeUtcArray");
        var properties = MetadataValue.GetArray(metadata, "ApplicationPropertiesArray");
        if (properties.Count == 0)
        {
            properties = MetadataValue.GetArray(metadata, "UserPropertiesArray");
        }

        return [.. bodies.Select((body, i) => new ReceivedMessage(
            body.ValueKind == JsonValueKind.String ? DecodeBody(body.GetString() ?? "") : [],
            MetadataValue.ItemString(messageIds, i),
            MetadataValue.ItemString(correlationIds, i),
            MetadataValue.ItemInt32(deliveryCounts, i) ?? 1,
            MetadataValue.ItemObject(properties, i))
        {
            EnqueuedTimeUtc = ParseTime(MetadataValue.ItemString(enqueuedTimes, i)),
        })];
    }

    // A JSON array, or a string holding one (how the host sends byte[][]); null for a single message's body.
    private static IReadOnlyList<JsonElement>? BatchBodies(JsonElement message) =>
        message.ValueKind == JsonValueKind.Array
            || (message.ValueKind == JsonValueKind.String && message.GetString() is ['[', ..])
            ? MetadataValue.ArrayItems(message)
            : null;

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;

    /// <summary>
    /// Reads <c>{"Data": {"message": ...}, "Metadata": {...}}</c>. With <c>dataType: binary</c> the
    /// body is a base64 string; a JSON object or plain text body is accepted too. Null when there is
    /// no message at all.
    /// </summary>
    public static ReceivedMessage? TryParse(JsonElement invocation)
    {
        if (invocation.ValueKind != JsonValueKind.Object
            || !TryGetProperty(invocation, "Data", out var data)
            || !TryGetProperty(data, BindingName, out var message))
        {
            return null;
        }

        var body = message.ValueKind switch
        {
            JsonValueKind.String => DecodeBody(message.GetString() ?? ""),
            JsonValueKind.Object or JsonValueKind.Array => System.Text.Encoding.UTF8.GetBytes(message.GetRawText()),
            _ => null,
        };
        if (body is null)
        {
            return null;
        }

        TryGetProperty(invocation, "Metadata", out var metadata);
        var properties = MetadataValue.GetObject(metadata, "ApplicationProperties");
        if (properties.Count == 0)
        {
            properties = MetadataValue.GetObject(metadata, "UserProperties");
        }

        return new ReceivedMessage(
            body,
            MetadataValue.GetString(metadata, "MessageId"),
            MetadataValue.GetString(metadata, "CorrelationId"),
            MetadataValue.GetInt32(metadata, "DeliveryCount") ?? 1,
            properties)
        {
            EnqueuedTimeUtc = ParseTime(MetadataValue.GetString(metadata, "EnqueuedTimeUtc")),
        };
    }

    private static byte[] DecodeBody(string text)
    {
        // A JSON-quoted base64 string is unwrapped first; text that is not base64 is the body itself.
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            text = text[1..^1];
        }

        var buffer = new byte[text.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(text, buffer, out var written)
            ? buffer[..written]
            : System.Text.Encoding.UTF8.GetBytes(text);
    }

    internal static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }
}
