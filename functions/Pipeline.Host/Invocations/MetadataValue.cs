using System.Globalization;
using System.Text.Json;

namespace Pipeline.Host.Invocations;

/// <summary>
/// Reads trigger metadata the way the Functions host sends it to a custom handler: a value may be
/// plain (<c>1</c>, <c>"abc"</c>) or JSON-encoded inside a string (<c>"\"abc\""</c>, <c>"1"</c>,
/// <c>"{\"k\":\"v\"}"</c>). Every reader accepts each form and returns null rather than throw.
/// </summary>
internal static class MetadataValue
{
    public static string? GetString(JsonElement metadata, string name) =>
        TryGet(metadata, name, out var value) ? AsString(value) : null;

    public static int? GetInt32(JsonElement metadata, string name)
    {
        if (!TryGet(metadata, name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        return int.TryParse(AsString(value), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    /// <summary>An object-valued entry (e.g. <c>ApplicationProperties</c>) flattened to strings.</summary>
    public static IReadOnlyDictionary<string, string> GetObject(JsonElement metadata, string name) =>
        TryGet(metadata, name, out var value) ? Flatten(value) : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    private static Dictionary<string, string> Flatten(JsonElement value)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (value.ValueKind == JsonValueKind.String && TryParseJson(value.GetString(), out var nested))
        {
            value = nested;
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                if (AsString(property.Value) is { } text)
                {
                    result[property.Name] = text;
                }
            }
        }

        return result;
    }

    /// <summary>
    /// The items of an array-valued entry (a batch's <c>MessageIdArray</c>, <c>DeliveryCountArray</c>...):
    /// the host serializes an array it cannot make a JSON object of into a string holding the JSON array.
    /// Empty when absent or not an array.
    /// </summary>
    public static IReadOnlyList<JsonElement> GetArray(JsonElement metadata, string name) =>
        TryGet(metadata, name, out var value) ? ArrayItems(value) : [];

    /// <summary>An array, or a string holding a JSON array, as its items; empty otherwise.</summary>
    public static IReadOnlyList<JsonElement> ArrayItems(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String && TryParseJson(value.GetString(), out var nested))
        {
            value = nested;
        }

        return value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : [];
    }

    /// <summary>One item of an array entry read as a string (null when missing or not a scalar).</summary>
    public static string? ItemString(IReadOnlyList<JsonElement> items, int index) =>
        index < items.Count ? AsString(items[index]) : null;

    /// <summary>One item of an array entry read as a number (null when missing or not a number).</summary>
    public static int? ItemInt32(IReadOnlyList<JsonElement> items, int index) =>
        int.TryParse(ItemString(items, index), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;

    /// <summary>One item of an array entry (an application properties object) flattened to strings.</summary>
    public static IReadOnlyDictionary<string, string> ItemObject(IReadOnlyList<JsonElement> items, int index) =>
        index < items.Count ? Flatten(items[index]) : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    private static string? AsString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Unquote(value.GetString()),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    /// <summary><c>"\"abc\""</c> → <c>abc</c>; anything that is not a quoted JSON string stays as it is.</summary>
    private static string? Unquote(string? text)
    {
        if (text is { Length: >= 2 } && text[0] == '"' && text[^1] == '"'
            && TryParseJson(text, out var inner) && inner.ValueKind == JsonValueKind.String)
        {
            return inner.GetString();
        }

        return text;
    }

    private static bool TryGet(JsonElement metadata, string name, out JsonElement value) =>
        ReceivedMessage.TryGetProperty(metadata, name, out value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    private static bool TryParseJson(string? text, out JsonElement element)
    {
        element = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
