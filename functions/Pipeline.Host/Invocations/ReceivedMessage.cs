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
            properties);
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
