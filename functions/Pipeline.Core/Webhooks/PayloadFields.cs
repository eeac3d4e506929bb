using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// The field checks the vendors' event validations share. A failure is the field's schema path (e.g.
/// <c>data.user.title</c>), never its value.
/// </summary>
internal static class PayloadFields
{
    /// <summary>The longest short text field (names, titles, statuses).</summary>
    public const int MaxShortText = 256;

    /// <summary>The <c>data</c> object; its path when it is absent or not an object.</summary>
    public static string? Data(JsonElement payload, out JsonElement data) =>
        payload.TryGetProperty("data", out data) && data.ValueKind == JsonValueKind.Object ? null : "data";

    /// <summary>A string field of at most <paramref name="maxLength"/> characters; its path when invalid.</summary>
    public static string? Text(JsonElement parent, string name, string path, bool required, int maxLength)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            return required ? path : null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return path;
        }

        if (maxLength == int.MaxValue)
        {
            // Free text (a transcript, coaching notes) can be large: checked on its raw UTF-8 bytes,
            // never copied into a string.
            var raw = JsonMarshal.GetRawUtf8Value(value);
            return !required || raw[1..^1].ContainsAnyExcept(" \t\r\n"u8) ? null : path;
        }

        return value.GetString() is { } text && text.Length <= maxLength && (!required || !string.IsNullOrWhiteSpace(text)) ? null : path;
    }

    /// <summary>A finite, non-negative number; its path when invalid.</summary>
    public static string? Number(JsonElement parent, string name, string path, bool required)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            return required ? path : null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) && number >= 0 ? null : path;
    }

    /// <summary>An ISO 8601 date and time.</summary>
    public static bool IsTimestamp(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);
}
