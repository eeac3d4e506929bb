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

    /// <summary>Short texts are decoded on the stack up to this many characters (longer ones into a string).</summary>
    public const int StackChars = 512;

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

        Span<char> buffer = stackalloc char[StackChars];
        if (TryCopyString(value, buffer, out var length))
        {
            return length <= maxLength && (!required || !buffer[..length].IsWhiteSpace()) ? null : path;
        }

        return value.GetString() is { } text && text.Length <= maxLength && (!required || !string.IsNullOrWhiteSpace(text)) ? null : path;
    }

    /// <summary>
    /// Unescapes a JSON string into <paramref name="destination"/>, allocating nothing; false when it might
    /// not fit (a string never has more UTF-16 characters than UTF-8 bytes, escapes included).
    /// </summary>
    public static bool TryCopyString(JsonElement value, Span<char> destination, out int length)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length - 2 > destination.Length)
        {
            length = 0;
            return false;
        }

        var reader = new Utf8JsonReader(raw);
        reader.Read();
        length = reader.CopyString(destination);
        return true;
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
    public static bool IsTimestamp(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[StackChars];
        return TryCopyString(value, buffer, out var length)
            ? DateTimeOffset.TryParse(buffer[..length], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
            : DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);
    }
}
